package dev.aspen.mesh.cli;

import dev.aspen.mesh.config.NodeConfigLoader;
import dev.aspen.mesh.config.Setting;
import dev.aspen.mesh.node.NodeRunner;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * {@code aspen node}: runs a node. Its options are made from the {@link Setting} table, so each
 * flag also has an {@code ASPEN_*} environment variable and a key in the {@code --config} TOML
 * file (see docs/configuration.md).
 */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = NodeCommand.SettingOptions.class,
        description = {
            "Run a node: it finds its peers, forms or joins the cluster and serves QUIC and HTTP"
                    + " (identity, state and cookie live in the data dir).",
            "Every option is also an ASPEN_* environment variable and a key in the --config TOML file;"
                    + " flags override the environment, which overrides the file (see docs/configuration.md)."
        })
final class NodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var config = NodeConfigLoader.load(flags(), System.getenv());
        return NodeRunner.run(config, spec.commandLine().getOut());
    }

    /** The settings given on the command line, as typed ("true"/"false" for a switch). */
    private Map<Setting<?>, String> flags() {
        var parsed = spec.commandLine().getParseResult();
        Map<Setting<?>, String> flags = new HashMap<>();
        for (Setting<?> setting : Setting.ALL) {
            OptionSpec option = spec.findOption(setting.flag());
            if (parsed.hasMatchedOption(option)) {
                flags.put(setting, String.valueOf(option.<Object>getValue()));
            }
        }
        return flags;
    }

    /** Adds one option per {@link Setting}: a string option, or a negatable switch. */
    static final class SettingOptions implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            for (Setting<?> setting : Setting.ALL) {
                String help = setting.explanation() + " Env " + setting.env()
                        + setting.tomlKey().map(key -> ", TOML " + key).orElse("")
                        + "; default: " + setting.defaultDescription() + ".";
                var option = OptionSpec.builder(setting.flag()).description(help);
                if (setting.isSwitch()) {
                    option.arity("0").type(boolean.class).negatable(true);
                } else {
                    option.type(String.class).paramLabel(setting.paramLabel());
                }
                command.addOption(option.build());
            }
            return command;
        }
    }
}
