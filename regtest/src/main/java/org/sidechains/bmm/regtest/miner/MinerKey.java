package org.sidechains.bmm.regtest.miner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.bitcoinj.base.internal.ByteUtils;
import org.bitcoinj.crypto.ECKey;

/**
 * The miner's key, kept in its data directory: losing it would lose every bribe not yet swept, so
 * it is created once (owner-only from the start, forced to disk, then renamed into place) and only
 * read afterwards.
 */
public final class MinerKey {
    static final String FILE = "miner-key.hex";

    private MinerKey() {
    }

    /** Reads {@code dir/miner-key.hex}, creating a new key there if the file does not exist. */
    public static ECKey loadOrCreate(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            String hex = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IOException(file + " does not hold a private key (64 lower-case hex digits);"
                        + " restore it from a backup or move it away to start with a new key");
            }
            return ECKey.fromPrivate(ByteUtils.parseHex(hex), true);
        }
        Files.createDirectories(dir);
        ECKey key = new ECKey();
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = createOwnerOnly(tmp)) {
            ByteBuffer text = ByteBuffer.wrap((key.getPrivateKeyAsHex() + "\n").getBytes(StandardCharsets.US_ASCII));
            while (text.hasRemaining()) {
                ch.write(text);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
        return key;
    }

    private static FileChannel createOwnerOnly(Path p) throws IOException {
        Set<OpenOption> opts = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return FileChannel.open(p, opts, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(p, opts); // not a POSIX file system: the directory's own protection applies
        }
    }

    /** Makes a rename in {@code dir} durable, where the platform can open a directory. */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // the rename itself is atomic; only its durability across a power cut is at stake
        }
    }
}
