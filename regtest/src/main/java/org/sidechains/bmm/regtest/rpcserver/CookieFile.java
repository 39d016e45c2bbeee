package org.sidechains.bmm.regtest.rpcserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

/**
 * bitcoind's authentication cookie: {@code __cookie__:<32 random bytes as hex>}, written to a
 * temporary file with owner-only permissions and moved into place (so a reader never sees half a
 * cookie), deleted when the server stops.
 */
final class CookieFile {
    static final String USER = "__cookie__";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;
    private final RpcCredentials credentials;

    private CookieFile(Path path, RpcCredentials credentials) {
        this.path = path;
        this.credentials = credentials;
    }

    /** Generates a password and writes the cookie, replacing an old one (a previous run's). */
    static CookieFile write(Path path) {
        Objects.requireNonNull(path, "path");
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        RpcCredentials credentials = new RpcCredentials(USER, HexFormat.of().formatHex(secret));
        Path absolute = path.toAbsolutePath();
        Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        try {
            Files.createDirectories(absolute.getParent());
            Files.deleteIfExists(tmp);
            createOwnerOnly(tmp);
            Files.writeString(tmp, USER + ":" + credentials.password(), StandardCharsets.US_ASCII);
            Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the RPC cookie " + absolute, e);
        }
        return new CookieFile(absolute, credentials);
    }

    private static void createOwnerOnly(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> rw = PosixFilePermissions.fromString("rw-------");
            FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(rw);
            try {
                Files.createFile(file, attr);
            } catch (FileAlreadyExistsException e) {
                Files.setPosixFilePermissions(file, rw);
            }
        } else {
            Files.createFile(file);
            file.toFile().setReadable(false, false);
            file.toFile().setReadable(true, true);
            file.toFile().setWritable(false, false);
            file.toFile().setWritable(true, true);
        }
    }

    Path path() {
        return path;
    }

    RpcCredentials credentials() {
        return credentials;
    }

    /** Deletes the cookie if it is still ours (another server may have replaced it since). */
    void delete() {
        try {
            if (Files.exists(path)
                    && Files.readString(path, StandardCharsets.US_ASCII).equals(USER + ":" + credentials.password())) {
                Files.delete(path);
            }
        } catch (IOException e) {
            // nothing useful to do on shutdown; the next start replaces it
        }
    }
}
