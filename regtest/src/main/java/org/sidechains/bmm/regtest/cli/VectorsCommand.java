package org.sidechains.bmm.regtest.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sidechains.bmm.regtest.vectors.D3ScenarioReplay;
import org.sidechains.bmm.regtest.vectors.ScenarioFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "vectors", mixinStandardHelpOptions = true,
        description = "Replays conformance vector files.",
        subcommands = {VectorsCommand.D3Command.class})
final class VectorsCommand {

    @Command(name = "d3", mixinStandardHelpOptions = true,
            description = {"Replays a d3-scenarios file and prints the resulting D3 rows as JSON.",
                "",
                "Prints, per scenario in file order, {\"name\", \"tipHeight\", \"rows\"} as a JSON array (rows"
                    + " with entries only, by height). Exit code 0 when it ran; 2 with a one-line error for an"
                    + " unreadable or malformed file."})
    static final class D3Command implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "a d3-scenarios JSON file")
        Path file;

        @Override
        public Integer call() throws Exception {
            ArrayNode result;
            try {
                result = D3ScenarioReplay.replayFile(file);
            } catch (ScenarioFormatException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("bmm-regtest vectors d3: " + file + ": " + e.getMessage());
                err.flush();
                return 2;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
            out.flush();
            return 0;
        }
    }
}
