package org.sidechains.bmm.regtest.bitcoind;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the user's {@code bitcoind}, in this order:
 * <ol>
 *   <li>an explicit path (the {@code --bitcoind PATH} option);</li>
 *   <li>the {@code BITCOIND} environment variable;</li>
 *   <li>the first executable {@code bitcoind} in a directory of {@code PATH}.</li>
 * </ol>
 * A path the user gave (option or variable) that does not exist, is a directory or is not executable is an
 * error naming it; it never silently falls through to {@code PATH}. Only when nothing was given and
 * {@code PATH} has no bitcoind is the answer "none" ({@link #find}) or the {@link #NOT_FOUND_MESSAGE} error
 * ({@link #locate}).
 */
public final class BitcoindLocator {
    /** The environment variable naming the bitcoind program. */
    public static final String ENV = "BITCOIND";
    /** The command-line option naming the bitcoind program. */
    public static final String OPTION = "--bitcoind";

    /** What a user reads when no bitcoind was given and none is on PATH. */
    public static final String NOT_FOUND_MESSAGE = "No bitcoind found: " + OPTION + " was not given, " + ENV
            + " is not set and there is no bitcoind on PATH.\n"
            + "Install Bitcoin Core (release binaries from https://bitcoincore.org/en/download/, or your"
            + " distribution's package), then pass " + OPTION + " PATH or set " + ENV + "=/path/to/bitcoind.\n"
            + "Without a bitcoind the embedded regtest chain is used by default.";

    /** Where a located bitcoind came from. */
    public enum Source {
        OPTION, ENVIRONMENT, PATH
    }

    /** A bitcoind program that exists and is executable, and which rule found it. */
    public record Located(Path path, Source source) {
        public Located {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(source, "source");
        }
    }

    private final Map<String, String> env;
    private final Path workingDir;
    private final boolean windows;

    private BitcoindLocator(Map<String, String> env, Path workingDir, boolean windows) {
        this.env = Map.copyOf(env);
        this.workingDir = workingDir.toAbsolutePath();
        this.windows = windows;
    }

    /** A locator reading this process's environment and working directory. */
    public static BitcoindLocator system() {
        return new BitcoindLocator(System.getenv(), Path.of(""),
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows"));
    }

    /** A locator reading the given environment ({@code BITCOIND}, {@code PATH}) instead of the process's; for tests. */
    public static BitcoindLocator withEnvironment(Map<String, String> env, Path workingDir) {
        return new BitcoindLocator(env, workingDir, false);
    }

    /**
     * The bitcoind to use, or empty when nothing was given and none is on PATH (the caller then uses the embedded
     * chain).
     *
     * @param explicit the {@code --bitcoind} value, or null/blank when the option was not given
     * @throws BitcoindNotFoundException when the option or {@code BITCOIND} names something unusable
     */
    public Optional<Located> find(String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return Optional.of(new Located(check(OPTION + " " + explicit, explicit.trim()), Source.OPTION));
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(new Located(check(ENV + "=" + fromEnv, fromEnv.trim()), Source.ENVIRONMENT));
        }
        return searchPath(windows ? "bitcoind.exe" : "bitcoind").map(p -> new Located(p, Source.PATH));
    }

    /** Like {@link #find}, but "none" is a {@link BitcoindNotFoundException} with {@link #NOT_FOUND_MESSAGE}. */
    public Located locate(String explicit) {
        return find(explicit).orElseThrow(() -> new BitcoindNotFoundException(NOT_FOUND_MESSAGE));
    }

    /** {@link #locate} with no explicit path: BITCOIND, then PATH. */
    public Located locate() {
        return locate(null);
    }

    /**
     * A path the user gave. A bare name ({@code bitcoind-25}) that is not a file in the working directory is
     * looked up on PATH, as a shell would.
     */
    private Path check(String what, String value) {
        Path given;
        try {
            given = Path.of(value);
        } catch (InvalidPathException e) {
            throw new BitcoindNotFoundException(what + ": not a valid path (" + e.getMessage() + ")");
        }
        Path p = workingDir.resolve(given).normalize();
        if (!Files.exists(p) && given.getNameCount() == 1 && !given.isAbsolute()
                && value.indexOf('/') < 0 && value.indexOf(File.separatorChar) < 0) {
            Optional<Path> onPath = searchPath(value);
            if (onPath.isPresent()) {
                return onPath.get();
            }
            throw new BitcoindNotFoundException(what + ": no such file (" + p + "), and no executable '" + value
                    + "' on PATH");
        }
        if (!Files.exists(p)) {
            throw new BitcoindNotFoundException(what + ": no such file (" + p + ")");
        }
        if (Files.isDirectory(p)) {
            throw new BitcoindNotFoundException(what + ": is a directory (" + p
                    + "); give the bitcoind program itself, e.g. .../bin/bitcoind");
        }
        if (!Files.isExecutable(p)) {
            throw new BitcoindNotFoundException(what + ": not executable (" + p + "); try chmod +x");
        }
        return p;
    }

    private Optional<Path> searchPath(String name) {
        for (Path dir : pathDirectories()) {
            Path candidate;
            try {
                candidate = dir.resolve(name);
            } catch (InvalidPathException e) {
                continue;
            }
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath().normalize());
            }
        }
        return Optional.empty();
    }

    private List<Path> pathDirectories() {
        String path = env.get("PATH");
        if (path == null && windows) {
            path = env.get("Path");
        }
        List<Path> dirs = new ArrayList<>();
        if (path == null) {
            return dirs;
        }
        for (String entry : path.split(java.util.regex.Pattern.quote(File.pathSeparator))) {
            // an empty PATH entry means the working directory, as in a POSIX shell
            try {
                dirs.add(entry.isEmpty() ? workingDir : workingDir.resolve(entry));
            } catch (InvalidPathException e) {
                // not a directory we can search
            }
        }
        return dirs;
    }
}
