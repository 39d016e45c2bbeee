package org.sidechains.bmm.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The read-only shared/ folder beside the repository (vectors and fixtures). */
public final class SharedDir {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SharedDir() {
    }

    public static Path root() {
        String prop = System.getProperty("bmm.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
        if (!Files.isDirectory(p.resolve("vectors"))) {
            throw new IllegalStateException("shared/ not found at " + p.toAbsolutePath()
                    + "; set -Dbmm.shared=/path/to/shared");
        }
        return p;
    }

    public static Path vector(String name) {
        return root().resolve("vectors").resolve(name);
    }

    public static JsonNode readJson(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
