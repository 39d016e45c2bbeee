package org.sidechains.bmm.regtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sidechains.bmm.regtest.cli.BmmRegtest;
import picocli.CommandLine;

class VectorsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cmd = BmmRegtest.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** The replay output per scenario equals the file's own expected rows, in file order. */
    static void assertMatchesExpected(JsonNode scenarios, JsonNode out) {
        assertEquals(scenarios.size(), out.size());
        for (int i = 0; i < scenarios.size(); i++) {
            JsonNode s = scenarios.get(i);
            JsonNode o = out.get(i);
            assertEquals(3, o.size(), "exactly name, tipHeight, rows");
            assertEquals(s.get("name"), o.get("name"));
            assertEquals(s.get("expected").get("tipHeight"), o.get("tipHeight"), s.get("name").asText());
            assertEquals(s.get("expected").get("rows"), o.get("rows"), s.get("name").asText());
        }
    }

    @Test
    void replaysTheSharedScenarios() throws Exception {
        Path file = Shared.root().resolve("vectors/d3-scenarios.json");
        Run r = run("vectors", "d3", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertMatchesExpected(JSON.readTree(file.toFile()), JSON.readTree(r.out()));
    }

    @Test
    void firstWinsAndExplicitCbIndex(@TempDir Path dir) throws Exception {
        String a = "11".repeat(32);
        String b = "22".repeat(32);
        Path f = dir.resolve("s.json");
        Files.writeString(f, "[{\"name\":\"dup\",\"window\":8000,\"blocks\":[{\"height\":3,\"cbIndex\":2,\"m7\":["
                + "{\"chain\":4,\"hStar\":\"" + a + "\",\"prevBlockRef\":0},"
                + "{\"chain\":4,\"hStar\":\"" + b + "\",\"prevBlockRef\":0}]}]}]");
        Run r = run("vectors", "d3", f.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode row = JSON.readTree(r.out()).get(0).get("rows").get(0);
        assertEquals(2, row.get("cbIndex").asInt());
        assertEquals(1, row.get("entries").size());
        assertEquals(a, row.get("entries").get(0).get("hStar").asText());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{|not valid JSON at line",
        "{}|expected a JSON array of scenarios",
        "[{\"window\":3,\"blocks\":[]}]|[0].name: expected a string",
        "[{\"name\":\"n\",\"window\":0,\"blocks\":[]}]|[0] (\"n\").window: 0 is outside 1..",
        "[{\"name\":\"n\",\"blocks\":[{\"height\":0,\"m7\":[]},{\"height\":2,\"m7\":[]}]}]|[0] (\"n\").blocks[1].height: 2 does not follow 0",
        "[{\"name\":\"n\",\"blocks\":[{\"height\":0,\"m7\":[{\"chain\":256,\"hStar\":\"00\",\"prevBlockRef\":0}]}]}]|blocks[0].m7[0].chain: 256 is outside 0..255",
        "[{\"name\":\"n\",\"blocks\":[{\"height\":0,\"m7\":[{\"chain\":1,\"hStar\":\"00\",\"prevBlockRef\":0}]}]}]|blocks[0].m7[0].hStar: expected 64 hex digits",
        "[{\"name\":\"n\",\"blocks\":[{\"height\":0,\"m7\":[{\"chain\":1,\"hStar\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"prevBlockRef\":70000}]}]}]|prevBlockRef: 70000 is outside 0..65535",
    })
    void malformedFilesGiveOneLineAndExitTwo(String content, String expectedMessage, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, content);
        Run r = run("vectors", "d3", f.toString());
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains(expectedMessage), err);
        assertTrue(err.startsWith("bmm-regtest vectors d3: " + f), err);
    }

    @Test
    void missingFile(@TempDir Path dir) {
        Run r = run("vectors", "d3", dir.resolve("nope.json").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no such file"), r.err());
    }
}
