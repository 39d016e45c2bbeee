package org.sidechains.bmm.regtest.cli;

import org.sidechains.bmm.bitcoinj.context.BitcoinjContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar regtest/target/bmm-regtest.jar COMMAND ...} */
@Command(name = "bmm-regtest", mixinStandardHelpOptions = true, versionProvider = BmmRegtest.Version.class,
        description = "Blind Merged Mining tools for regtest.",
        subcommands = {VectorsCommand.class, D3DumpCommand.class, MinerCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class BmmRegtest {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("demo")
                && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // the demo prints its own account of every block; the daemons' logs would repeat it
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // bitcoinj wants a context on every thread that touches it; without one it logs five lines of error
        BitcoinjContext.ensure();
        System.exit(commandLine().execute(args));
    }

    /** The version the jar was built as (its manifest); "development build" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BmmRegtest.class.getPackage().getImplementationVersion();
            return new String[] {"bmm-regtest " + (v != null ? v : "(development build, not from the jar)")};
        }
    }

    public static CommandLine commandLine() {
        return new CommandLine(new BmmRegtest());
    }
}
