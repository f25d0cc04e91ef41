package dev.aspen.tickets.internal;

import dev.aspen.tickets.FormatException;

/**
 * RFC 4648 base32 in Aspen's text form: lower-case alphabet {@code a-z2-7}, no padding.
 *
 * <p>Decoding is strict so that every byte string has exactly one text form: upper-case letters,
 * padding, whitespace and non-zero trailing bits are rejected.
 */
public final class Base32 {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int[] VALUES = new int[128];

    static {
        java.util.Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = i;
        }
    }

    private Base32() {}

    /** Number of characters {@link #encode} produces for {@code byteCount} bytes. */
    public static int encodedLength(int byteCount) {
        return (int) ((byteCount * 8L + 4) / 5);
    }

    /** Encodes {@code bytes}; never throws. */
    public static String encode(byte[] bytes) {
        var out = new StringBuilder(encodedLength(bytes.length));
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    /**
     * Decodes {@code text}.
     *
     * @param what names the decoded thing in error messages, e.g. "node id"
     * @throws FormatException if a character is outside the alphabet, the length cannot come from
     *     {@link #encode}, or the unused trailing bits are not zero
     */
    public static byte[] decode(CharSequence text, String what) {
        int length = text.length();
        byte[] out = new byte[(int) (length * 5L / 8)];
        int buffer = 0;
        int bits = 0;
        int written = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            int value = c < 128 ? VALUES[c] : -1;
            if (value < 0) {
                throw new FormatException(what + " contains " + describe(c) + " at position " + i
                        + ", which is not in the base32 alphabet a-z2-7");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                out[written++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        int remainder = length % 8;
        if (remainder == 1 || remainder == 3 || remainder == 6) {
            throw new FormatException(what + " has " + length + " base32 characters, which no byte string encodes to");
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw new FormatException(what + " is not canonical base32: its last character has non-zero unused bits");
        }
        return out;
    }

    private static String describe(char c) {
        if (c >= 0x21 && c < 0x7f) {
            return "'" + c + "'";
        }
        return String.format("U+%04X", (int) c);
    }
}
