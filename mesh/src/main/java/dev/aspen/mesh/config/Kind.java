package dev.aspen.mesh.config;

import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.SocketAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type of a {@link Setting}: how its text (a flag's argument, an environment variable, or a
 * TOML value turned into text) is parsed, what TOML value it takes, and how docs and help name it.
 *
 * @param typeName the type as the reference table shows it
 * @param paramLabel the flag argument's placeholder in {@code --help}
 * @param tomlType the TOML value the file must hold for it
 * @param secret whether messages must not echo the value
 * @param parser text to value; throws {@link FormatException} with the problem (the caller adds
 *     which setting and where it came from)
 */
record Kind<T>(String typeName, String paramLabel, TomlType tomlType, boolean secret, Parser<T> parser) {
    /** Most peers {@code --peers} takes (as many as a ticket carries). */
    static final int MAX_PEERS = ClusterTicket.MAX_PEERS;

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,9}");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");

    static final Kind<Path> PATH = new Kind<>("path", "<path>", TomlType.STRING, false, Kind::path);
    static final Kind<String> SECRET_TEXT = new Kind<>("string", "<text>", TomlType.STRING, true, text -> text);
    static final Kind<String> COOKIE = new Kind<>("string", "<text>", TomlType.STRING, true, Kind::cookie);
    static final Kind<ClusterTicket> TICKET =
            new Kind<>("ticket", "<ticket>", TomlType.STRING, true, ClusterTicket::parse);
    static final Kind<List<InetSocketAddress>> PEERS =
            new Kind<>("list of IP:port", "<ip:port,...>", TomlType.STRING_ARRAY, false, Kind::peers);
    static final Kind<InetAddress> IP = new Kind<>("IP address", "<ip>", TomlType.STRING, false, Kind::ip);
    static final Kind<Integer> INT = new Kind<>("integer", "<n>", TomlType.INTEGER, false, Kind::integer);
    static final Kind<Integer> PORT = new Kind<>("port", "<port>", TomlType.INTEGER, false, Kind::integer);
    static final Kind<Boolean> BOOL = new Kind<>("boolean", "", TomlType.BOOLEAN, false, Kind::bool);
    static final Kind<NodeConfig.Timing> TIMING =
            new Kind<>("`lan` or `wan`", "<lan|wan>", TomlType.STRING, false, Kind::timing);
    static final Kind<Duration> DURATION_KIND =
            new Kind<>("duration", "<duration>", TomlType.STRING, false, Kind::duration);

    /** Parses a setting's text; {@link FormatException} says what is wrong with it. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String text);
    }

    T parse(String text) {
        return parser.parse(text);
    }

    private static Path path(String text) {
        if (text.isEmpty()) {
            throw new FormatException("must not be empty");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new FormatException("is not a valid path: " + e.getReason());
        }
    }

    private static String cookie(String text) {
        Cookie.of(text);
        return text;
    }

    private static List<InetSocketAddress> peers(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        String[] parts = text.split(",", -1);
        if (parts.length > MAX_PEERS) {
            throw new FormatException("has " + parts.length + " addresses, more than the " + MAX_PEERS + " allowed");
        }
        var peers = new ArrayList<InetSocketAddress>(parts.length);
        for (String part : parts) {
            peers.add(SocketAddresses.parse(part.strip()));
        }
        return List.copyOf(peers);
    }

    private static InetAddress ip(String text) {
        String bracketed = text.contains(":") && !text.startsWith("[") ? "[" + text + "]" : text;
        try {
            return SocketAddresses.parse(bracketed + ":1").getAddress();
        } catch (FormatException e) {
            throw new FormatException("is not an IP address (IPv4 such as 10.0.0.5 or IPv6 such as ::1;"
                    + " host names are not looked up)");
        }
    }

    private static Integer integer(String text) {
        if (!INTEGER.matcher(text).matches()) {
            throw new FormatException("is not a whole number");
        }
        return Integer.valueOf(text);
    }

    private static Boolean bool(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new FormatException("must be true or false");
        };
    }

    private static NodeConfig.Timing timing(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "lan" -> NodeConfig.Timing.LAN;
            case "wan" -> NodeConfig.Timing.WAN;
            default -> throw new FormatException("must be lan or wan");
        };
    }

    /** A whole number directly followed by ms, s or m: {@code 500ms}, {@code 2s}, {@code 1m}. */
    static Duration duration(String text) {
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            throw new FormatException(
                    "is not a duration: write a whole number directly followed by ms, s or m (500ms, 2s, 1m)");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
        };
    }
}
