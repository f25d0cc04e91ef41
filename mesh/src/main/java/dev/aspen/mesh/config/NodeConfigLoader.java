package dev.aspen.mesh.config;

import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Builds a {@link NodeConfig} from the {@link Setting} table's four layers: defaults &lt; the TOML
 * file ({@code --config} or {@code ASPEN_CONFIG}) &lt; environment variables &lt; flags.
 */
public final class NodeConfigLoader {
    private NodeConfigLoader() {}

    /**
     * Loads and validates the configuration. Reads only the TOML file named by {@link
     * Setting#CONFIG} (if any); never touches the process environment or the network.
     *
     * @param flags the settings given as flags, as the text typed after the flag ({@code "true"} or
     *     {@code "false"} for a switch such as {@code --lan/--no-lan})
     * @param env the environment (usually {@code System.getenv()}); variables other than the
     *     settings' {@code ASPEN_*} names are ignored
     * @throws FormatException for the first bad setting, in table order, naming it and where it came
     *     from ({@code --voters 4 (flag): must be odd (1, 3, 5 or 7)}), or for a bad file
     */
    public static NodeConfig load(Map<Setting<?>, String> flags, Map<String, String> env) {
        Map<Setting<?>, Raw> file = Map.of();
        Optional<Raw> configRaw = layered(Setting.CONFIG, flags, env, file);
        if (configRaw.isPresent()) {
            Path path = parse(Setting.CONFIG, configRaw.get()).value();
            file = TomlSettings.read(path, configRaw.get().where());
        }
        Map<Setting<?>, Value<?>> values = new HashMap<>();
        for (Setting<?> setting : Setting.ALL) {
            if (setting != Setting.CONFIG) {
                Optional<Raw> raw = layered(setting, flags, env, file);
                raw.ifPresent(r -> values.put(setting, parse(setting, r)));
            }
        }
        return build(new Values(values));
    }

    private static Optional<Raw> layered(
            Setting<?> setting, Map<Setting<?>, String> flags, Map<String, String> env, Map<Setting<?>, Raw> file) {
        if (flags.containsKey(setting)) {
            return Optional.of(Raw.flag(setting, flags.get(setting)));
        } else if (env.containsKey(setting.env())) {
            return Optional.of(Raw.env(setting, env.get(setting.env())));
        } else if (file.containsKey(setting)) {
            return Optional.of(file.get(setting));
        }
        return setting.defaultText().map(text -> Raw.byDefault(setting, text));
    }

    private static <T> Value<T> parse(Setting<T> setting, Raw raw) {
        T value;
        try {
            value = setting.kind().parse(raw.text());
        } catch (FormatException e) {
            throw new FormatException(raw.where() + ": " + e.getMessage());
        }
        Optional<Setting.Rule<T>> rule = setting.rule();
        if (rule.isPresent() && !rule.get().accepts().test(value)) {
            throw new FormatException(raw.where() + ": must be " + rule.get().doc());
        }
        return new Value<>(value, raw);
    }

    private static NodeConfig build(Values values) {
        checkTiming(values);
        checkHttpToken(values);
        checkTicketMatchesCookie(values);
        Optional<ClusterTicket> ticket = values.find(Setting.TICKET);
        var peers = values.get(Setting.PEERS);
        int bootstrapExpect = values.find(Setting.BOOTSTRAP_EXPECT).orElse(ticket.isEmpty() && peers.isEmpty() ? 1 : 0);
        return new NodeConfig(
                values.get(Setting.DATA_DIR),
                values.find(Setting.COOKIE),
                ticket,
                peers,
                values.get(Setting.BIND),
                port(values, Setting.QUIC_PORT),
                port(values, Setting.GOSSIP_PORT),
                port(values, Setting.HTTP_PORT),
                bootstrapExpect,
                values.get(Setting.VOTERS),
                values.get(Setting.LAN),
                values.get(Setting.HTTP_BIND),
                values.find(Setting.HTTP_TOKEN),
                values.get(Setting.TIMING),
                values.get(Setting.HEARTBEAT_PERIOD),
                values.get(Setting.ELECTION_TIMEOUT),
                values.get(Setting.DEAD_VOTER_GRACE),
                values.get(Setting.DISK_FULL_PERCENT),
                values.get(Setting.FAULT_INJECTION));
    }

    /** Blames whichever of the two was set at the higher layer (the election timeout on a tie). */
    private static void checkTiming(Values values) {
        if (values.get(Setting.ELECTION_TIMEOUT).compareTo(values.get(Setting.HEARTBEAT_PERIOD)) > 0) {
            return;
        }
        Raw election = values.raw(Setting.ELECTION_TIMEOUT);
        Raw heartbeat = values.raw(Setting.HEARTBEAT_PERIOD);
        if (heartbeat.layer().compareTo(election.layer()) > 0) {
            throw new FormatException(heartbeat.where() + ": must be shorter than " + Setting.ELECTION_TIMEOUT.name()
                    + " (" + election.where() + ")");
        }
        throw new FormatException(election.where() + ": must be longer than " + Setting.HEARTBEAT_PERIOD.name() + " ("
                + heartbeat.where() + ")");
    }

    private static void checkHttpToken(Values values) {
        InetAddress httpBind = values.get(Setting.HTTP_BIND);
        if (!httpBind.isLoopbackAddress() && values.find(Setting.HTTP_TOKEN).isEmpty()) {
            Setting<?> token = Setting.HTTP_TOKEN;
            throw new FormatException(values.where(Setting.HTTP_BIND) + ": is not a loopback address, so "
                    + token.name() + " is required (" + token.flag() + ", " + token.env() + " or "
                    + token.tomlKey().orElseThrow() + " in the file)");
        }
    }

    private static void checkTicketMatchesCookie(Values values) {
        Optional<ClusterTicket> ticket = values.find(Setting.TICKET);
        Optional<String> cookie = values.find(Setting.COOKIE);
        if (ticket.isPresent() && cookie.isPresent()) {
            var cookieCluster = Cookie.of(cookie.get()).clusterId();
            if (!ticket.get().clusterId().equals(cookieCluster)) {
                throw new FormatException(values.where(Setting.TICKET) + ": names cluster "
                        + ticket.get().clusterId() + ", but the cookie (" + values.where(Setting.COOKIE)
                        + ") is cluster " + cookieCluster);
            }
        }
    }

    private static OptionalInt port(Values values, Setting<Integer> setting) {
        return values.find(setting).map(OptionalInt::of).orElseGet(OptionalInt::empty);
    }

    /** A parsed setting and the text it came from. */
    private record Value<T>(T value, Raw raw) {}

    /** The parsed settings; a setting without a default is absent unless some layer set it. */
    private record Values(Map<Setting<?>, Value<?>> byKey) {
        <T> Optional<T> find(Setting<T> setting) {
            // Only parse(setting, raw) creates a Value for a setting, with that setting's type.
            @SuppressWarnings("unchecked")
            Value<T> value = (Value<T>) byKey.get(setting);
            return value == null ? Optional.empty() : Optional.of(value.value());
        }

        /** A setting with a default: always present. */
        <T> T get(Setting<T> setting) {
            return find(setting).orElseThrow(() -> new IllegalStateException(setting + " has a default"));
        }

        Raw raw(Setting<?> setting) {
            return byKey.get(setting).raw();
        }

        String where(Setting<?> setting) {
            return raw(setting).where();
        }
    }
}
