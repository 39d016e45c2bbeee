package org.sidechains.bmm.regtest.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar regtest/target/bmm-regtest.jar COMMAND ...} */
@Command(name = "bmm-regtest", mixinStandardHelpOptions = true, version = "bmm-regtest 0.1.0",
        description = "Blind Merged Mining tools for regtest.",
        subcommands = {VectorsCommand.class, D3DumpCommand.class, MinerCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class BmmRegtest {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("demo")
                && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // the demo prints its own account of every block; the daemons' logs would repeat it
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new BmmRegtest());
    }
}
