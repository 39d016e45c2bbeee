package org.sidechains.bmm.regtest.cli;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;

/**
 * One line for an I/O failure, for a command's error output: Java's file-system exceptions often
 * carry only the path as their message ("/etc/hostname"), which says nothing about what is wrong.
 */
final class Failures {
    /** JSON-RPC's "Method not found". */
    private static final int RPC_METHOD_NOT_FOUND = -32601;

    private Failures() {
    }

    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return u.getMessage() + ": " + describe(u.getCause());
        }
        if (e instanceof FileSystemException f) {
            String why = f.getReason() != null ? f.getReason() : kind(f);
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + why;
        }
        if (e instanceof MainchainException.Rpc r && r.code() == RPC_METHOD_NOT_FOUND) {
            return r.getMessage() + " (is --rpc-url a bitcoind's JSON-RPC? bitcoind knows " + r.method() + ")";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String kind(FileSystemException f) {
        if (f instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (f instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (f instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (f instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (f instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        return f.getClass().getSimpleName();
    }

    /** Whether {@code e} is a listening port that could not be bound (in use, or not allowed). */
    static boolean isBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }
}
