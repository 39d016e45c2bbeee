package org.sidechains.bmm.regtest.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar regtest/target/bmm-regtest.jar COMMAND ...} */
@Command(name = "bmm-regtest", mixinStandardHelpOptions = true, version = "bmm-regtest 0.1.0",
        description = "Blind Merged Mining tools for regtest.",
        subcommands = {VectorsCommand.class, CommandLine.HelpCommand.class})
public final class BmmRegtest {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new BmmRegtest());
    }
}
