package org.sidechains.bmm.regtest;

import java.nio.file.Files;
import java.nio.file.Path;

/** The read-only shared/ folder beside the repository; surefire and failsafe pass it as bmm.shared. */
public final class Shared {
    private Shared() {
    }

    public static Path root() {
        Path p = Path.of(System.getProperty("bmm.shared", "../../shared"));
        if (!Files.isDirectory(p.resolve("vectors"))) {
            throw new IllegalStateException("shared/ not found at " + p.toAbsolutePath());
        }
        return p;
    }
}
