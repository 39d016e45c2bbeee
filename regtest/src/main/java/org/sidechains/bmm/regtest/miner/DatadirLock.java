package org.sidechains.bmm.regtest.miner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One miner per data directory: two would race on the key and the claims. An OS file lock on
 * {@code DATADIR/.lock}, released by the OS if the process dies.
 */
public final class DatadirLock {
    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DatadirLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Makes {@code dir} if missing and locks it, or says why it cannot. */
    public static DatadirLock acquire(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory: the miner's data directory must be one (it is made if missing)");
        }
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            ch.close();
            throw new IOException(dir + " is in use by another miner (" + dir.resolve(".lock")
                    + " is locked): give this one its own --datadir");
        }
        return new DatadirLock(dir, ch, l);
    }

    public Path dir() {
        return dir;
    }

    public void release() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the OS drops the lock with the process anyway
        }
    }
}
