package dev.aspen.mesh.metrics;

import java.math.BigDecimal;
import java.util.List;

/** Writing samples in the Prometheus text exposition format, version 0.0.4. */
final class TextFormat {
    private TextFormat() {}

    /**
     * Appends one sample line: {@code name{label="value",...} value}. {@code extraLabel} (the
     * histogram's {@code le}) follows the other labels when not null.
     */
    static void writeSample(
            StringBuilder out,
            String name,
            List<String> labelNames,
            List<String> labelValues,
            String extraLabel,
            String extraValue,
            double value) {
        out.append(name);
        if (!labelNames.isEmpty() || extraLabel != null) {
            out.append('{');
            for (int i = 0; i < labelNames.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                appendLabel(out, labelNames.get(i), labelValues.get(i));
            }
            if (extraLabel != null) {
                if (!labelNames.isEmpty()) {
                    out.append(',');
                }
                appendLabel(out, extraLabel, extraValue);
            }
            out.append('}');
        }
        out.append(' ').append(formatValue(value)).append('\n');
    }

    private static void appendLabel(StringBuilder out, String name, String value) {
        out.append(name).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        out.append('"');
    }

    /** HELP text escaping: backslash and line feed (quotes stay as they are). */
    static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /**
     * A value as Prometheus parses it: integers without a fraction, other numbers in plain decimal
     * where that stays short, {@code +Inf}, {@code -Inf}, {@code NaN}.
     */
    static String formatValue(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        double magnitude = Math.abs(v);
        if (v == Math.rint(v) && magnitude < 1e15) {
            return Long.toString((long) v);
        }
        if (magnitude >= 1e-6 && magnitude < 1e15) {
            return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        }
        return Double.toString(v);
    }
}
