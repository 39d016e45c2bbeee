package org.sidechains.bmm.regtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the packaged jar under its fixed name, as scripts do. */
class BmmRegtestJarIT {
    static final Path JAR = Path.of("target", "bmm-regtest.jar");

    record Run(int exit, String out, String err) {
    }

    static Run java(String... args) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java.toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void replaysTheSharedScenariosFromTheJar() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the jar has a fixed name: " + JAR.toAbsolutePath());
        Path file = Shared.root().resolve("vectors/d3-scenarios.json");
        Run r = java("vectors", "d3", file.toString());
        assertEquals(0, r.exit(), r.err());
        ObjectMapper json = new ObjectMapper();
        VectorsCommandTest.assertMatchesExpected(json.readTree(file.toFile()), json.readTree(r.out()));
    }

    @Test
    void malformedFileExitsNonZeroWithOneLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "[1]");
        Run r = java("vectors", "d3", f.toString());
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("[0]: expected a scenario object"), r.err());
    }
}
