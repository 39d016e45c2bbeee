package org.sidechains.bmm.regtest.bitcoind;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Path resolution only: the "bitcoind" programs here are shell scripts that are never run.
 */
@DisabledOnOs(OS.WINDOWS)
class BitcoindLocatorTest {
    @TempDir
    Path tmp;

    private static Path executable(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static Path plainFile(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(name);
        Files.writeString(p, "not a program\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        return p;
    }

    private BitcoindLocator locator(String bitcoindEnv, Path... pathDirs) {
        Map<String, String> env = new HashMap<>();
        if (bitcoindEnv != null) {
            env.put("BITCOIND", bitcoindEnv);
        }
        StringBuilder path = new StringBuilder();
        for (Path d : pathDirs) {
            if (path.length() > 0) {
                path.append(File.pathSeparator);
            }
            path.append(d);
        }
        env.put("PATH", path.toString());
        return BitcoindLocator.withEnvironment(env, tmp);
    }

    @Test
    void explicitPathThatDoesNotExistIsAnErrorNamingIt() {
        Path missing = tmp.resolve("no/such/bitcoind");
        BitcoindNotFoundException e = assertThrows(BitcoindNotFoundException.class,
                () -> locator(null).find(missing.toString()));
        assertTrue(e.getMessage().contains("--bitcoind"), e.getMessage());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void explicitPathThatIsNotExecutableIsAnErrorNamingIt() throws IOException {
        Path file = plainFile(tmp.resolve("bin"), "bitcoind");
        BitcoindNotFoundException e = assertThrows(BitcoindNotFoundException.class,
                () -> locator(null).find(file.toString()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not executable"), e.getMessage());
    }

    @Test
    void explicitPathThatIsADirectoryIsAnError() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("bitcoin-25.0/bin"));
        BitcoindNotFoundException e = assertThrows(BitcoindNotFoundException.class,
                () -> locator(null).find(dir.toString()));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }

    @Test
    void explicitPathWinsOverBitcoindVariableAndPath() throws IOException {
        Path explicit = executable(tmp.resolve("explicit"), "bitcoind");
        Path fromEnv = executable(tmp.resolve("env"), "bitcoind");
        Path onPath = tmp.resolve("path");
        executable(onPath, "bitcoind");
        BitcoindLocator.Located found = locator(fromEnv.toString(), onPath).locate(explicit.toString());
        assertEquals(explicit, found.path());
        assertEquals(BitcoindLocator.Source.OPTION, found.source());
    }

    @Test
    void relativeExplicitPathIsResolvedAgainstTheWorkingDirectory() throws IOException {
        Path p = executable(tmp.resolve("tools"), "bitcoind");
        assertEquals(p, locator(null).locate("tools/bitcoind").path());
    }

    @Test
    void bareExplicitNameIsLookedUpOnPath() throws IOException {
        Path dir = tmp.resolve("opt-bin");
        Path p = executable(dir, "bitcoind-25");
        assertEquals(p, locator(null, dir).locate("bitcoind-25").path());
        BitcoindNotFoundException e = assertThrows(BitcoindNotFoundException.class,
                () -> locator(null, dir).locate("bitcoind-99"));
        assertTrue(e.getMessage().contains("bitcoind-99"), e.getMessage());
    }

    @Test
    void bitcoindVariableIsUsedWhenNoExplicitPath() throws IOException {
        Path fromEnv = executable(tmp.resolve("env"), "bitcoind");
        Path onPath = tmp.resolve("path");
        executable(onPath, "bitcoind");
        BitcoindLocator.Located found = locator(fromEnv.toString(), onPath).locate(null);
        assertEquals(fromEnv, found.path());
        assertEquals(BitcoindLocator.Source.ENVIRONMENT, found.source());
    }

    @Test
    void bitcoindVariableNamingAMissingFileIsAnErrorAndDoesNotFallBackToPath() throws IOException {
        Path missing = tmp.resolve("gone/bitcoind");
        Path onPath = tmp.resolve("path");
        executable(onPath, "bitcoind");
        BitcoindNotFoundException e = assertThrows(BitcoindNotFoundException.class,
                () -> locator(missing.toString(), onPath).find(null));
        assertTrue(e.getMessage().contains("BITCOIND=" + missing), e.getMessage());
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void bitcoindVariableNamingANonExecutableFileIsAnError() throws IOException {
        Path file = plainFile(tmp.resolve("env"), "bitcoind");
        BitcoindNotFoundException e = assertThrows(BitcoindNotFoundException.class,
                () -> locator(file.toString()).find(null));
        assertTrue(e.getMessage().contains("BITCOIND="), e.getMessage());
        assertTrue(e.getMessage().contains("not executable"), e.getMessage());
    }

    @Test
    void blankBitcoindVariableAndBlankOptionAreIgnored() throws IOException {
        Path onPath = tmp.resolve("path");
        Path p = executable(onPath, "bitcoind");
        BitcoindLocator.Located found = locator("  ", onPath).locate("");
        assertEquals(p, found.path());
        assertEquals(BitcoindLocator.Source.PATH, found.source());
    }

    @Test
    void pathSearchFindsTheFirstExecutableBitcoind() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path notExecutable = tmp.resolve("noexec");
        plainFile(notExecutable, "bitcoind");
        Path dirNamedBitcoind = tmp.resolve("dirs");
        Files.createDirectories(dirNamedBitcoind.resolve("bitcoind"));
        Path first = executable(tmp.resolve("first"), "bitcoind");
        executable(tmp.resolve("second"), "bitcoind");
        BitcoindLocator.Located found = locator(null, tmp.resolve("missing-dir"), empty, notExecutable,
                dirNamedBitcoind, tmp.resolve("first"), tmp.resolve("second")).locate();
        assertEquals(first, found.path());
        assertEquals(BitcoindLocator.Source.PATH, found.source());
    }

    @Test
    void nothingFoundIsEmptyForFindAndAHelpfulErrorForLocate() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        BitcoindLocator locator = locator(null, empty);
        assertTrue(locator.find(null).isEmpty());
        BitcoindNotFoundException e = assertThrows(BitcoindNotFoundException.class, () -> locator.locate(null));
        assertEquals(BitcoindLocator.NOT_FOUND_MESSAGE, e.getMessage());
        String m = e.getMessage();
        assertTrue(m.contains("Install Bitcoin Core"), m);
        assertTrue(m.contains("bitcoincore.org"), m);
        assertTrue(m.contains("--bitcoind PATH"), m);
        assertTrue(m.contains("BITCOIND"), m);
        assertTrue(m.contains("embedded regtest chain is used by default"), m);
    }

    @Test
    void noPathVariableAtAllIsNothingFound() {
        BitcoindLocator locator = BitcoindLocator.withEnvironment(Map.of(), tmp);
        assertTrue(locator.find(null).isEmpty());
    }
}
