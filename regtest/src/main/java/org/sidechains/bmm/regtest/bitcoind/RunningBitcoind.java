package org.sidechains.bmm.regtest.bitcoind;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A bitcoind started by {@link BitcoindLauncher}: regtest, 127.0.0.1, its own ports and datadir.
 *
 * <p>{@link #close()} stops it (RPC {@code stop}, then SIGTERM, then SIGKILL after grace periods) and deletes a
 * temporary datadir; a JVM shutdown hook does the same on Ctrl-C or {@code System.exit}. {@link #stop()} and
 * {@link #start()} (or {@link #restart()}) stop and start the same node again on the same datadir and ports, so
 * clients keep their URL; in {@link BitcoindLauncher.Auth#PASSWORD} mode they keep their credentials too.
 *
 * <p>Files in the datadir: {@code bitcoin.conf} (written by the launcher, so that
 * {@code bitcoin-cli -datadir=DATADIR getblockcount} works), {@code debug.log}, {@code bitcoind.out} (its
 * stdout/stderr) and the {@code regtest/} chain directory.
 *
 * <p>Thread-safe. If the JVM is killed with SIGKILL no hook runs and bitcoind keeps running; its datadir and pid
 * are then in {@link #toString()}'s output and the log.
 */
public final class RunningBitcoind implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunningBitcoind.class);
    private static final String CONF_MARKER = "# Written by the BMM bitcoind launcher";
    private static final Pattern BIND_FAILURE = Pattern.compile(
            "Unable to bind to|Unable to start HTTP server|Binding RPC on address .* failed|Failed to listen on any port");
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration TERM_GRACE = Duration.ofSeconds(10);
    private static final int TAIL_LINES = 25;

    private final BitcoindLauncher config;
    private final Path datadir;
    private final boolean ownsDatadir;
    private final String rpcPassword;
    private final Thread shutdownHook;

    private volatile int rpcPort;
    private volatile int p2pPort;
    private volatile int onionPort;
    private boolean portsFixed;

    private Process process;
    private String cookiePassword;
    private boolean closed;
    private volatile boolean closing;

    /** bitcoind could not bind a port it was given: pick again (first start) or retry (restart). */
    private static final class BindFailure extends Exception {
        private static final long serialVersionUID = 1L;

        BindFailure(String message) {
            super(message);
        }
    }

    private RunningBitcoind(BitcoindLauncher config, Path datadir, boolean ownsDatadir) {
        this.config = config;
        this.datadir = datadir;
        this.ownsDatadir = ownsDatadir;
        this.rpcPassword = config.auth == BitcoindLauncher.Auth.PASSWORD ? randomHex(32) : null;
        this.shutdownHook = new Thread(this::closeFromShutdownHook, "bitcoind-shutdown-hook");
    }

    static RunningBitcoind launch(BitcoindLauncher config) {
        Path dir;
        boolean owns;
        try {
            if (config.datadir == null) {
                dir = Files.createTempDirectory("bmm-bitcoind-").toAbsolutePath();
                owns = true;
            } else {
                dir = config.datadir;
                Files.createDirectories(dir);
                owns = false;
            }
        } catch (IOException e) {
            throw new BitcoindException("cannot create the bitcoind datadir: " + e, e);
        }
        RunningBitcoind node = new RunningBitcoind(config, dir, owns);
        try {
            Runtime.getRuntime().addShutdownHook(node.shutdownHook);
        } catch (IllegalStateException e) {
            node.deleteDatadir();
            throw new BitcoindException("the JVM is shutting down; not starting bitcoind", e);
        }
        try {
            node.start();
            return node;
        } catch (RuntimeException | Error e) {
            try {
                node.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /** The JSON-RPC URL, {@code http://127.0.0.1:PORT/}. */
    public URI rpcUrl() {
        return URI.create("http://127.0.0.1:" + rpcPort + "/");
    }

    public int rpcPort() {
        return rpcPort;
    }

    /** The RPC user: {@link BitcoindLauncher#RPC_USER}, or {@code __cookie__} in cookie mode. */
    public String rpcUser() {
        return config.auth == BitcoindLauncher.Auth.PASSWORD ? BitcoindLauncher.RPC_USER : "__cookie__";
    }

    /**
     * The RPC password. In cookie mode it is the current cookie's, which changes on every (re)start; clients that
     * outlive a restart should read {@link #cookieFile()} again.
     */
    public synchronized String rpcPassword() {
        return config.auth == BitcoindLauncher.Auth.PASSWORD ? rpcPassword : cookiePassword;
    }

    /** bitcoind's cookie file in cookie mode; empty in password mode. */
    public Optional<Path> cookieFile() {
        return config.auth == BitcoindLauncher.Auth.COOKIE ? Optional.of(cookiePath()) : Optional.empty();
    }

    /** The P2P port bitcoind listens on (127.0.0.1). */
    public int p2pPort() {
        return p2pPort;
    }

    public Path datadir() {
        return datadir;
    }

    public Path debugLog() {
        return datadir.resolve("debug.log");
    }

    public Path binary() {
        return config.binary;
    }

    /** The process id of the running bitcoind. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("bitcoind is not running");
        }
        return process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Calls a bitcoind RPC method and returns its {@code result}; meant for tests and tooling (the project's RPC
     * client is bmm-bitcoinj's).
     *
     * @throws BitcoindException for an RPC error or when bitcoind does not answer
     */
    public JsonNode rpc(String method, Object... params) {
        String password;
        synchronized (this) {
            password = rpcPassword();
        }
        try {
            return LauncherRpc.call(rpcUrl(), rpcUser(), password, Duration.ofMinutes(2), method, params);
        } catch (IOException e) {
            throw new BitcoindException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BitcoindException(method + ": interrupted", e);
        }
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /**
     * Starts bitcoind on this node's datadir and ports, if it is not running, and returns once RPC answers.
     *
     * @throws BitcoindException when it does not come up; nothing is left running
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("this bitcoind was closed");
        }
        if (process != null && process.isAlive()) {
            return;
        }
        process = null;
        if (!portsFixed) {
            pickPorts();
        }
        BindFailure last = null;
        for (int attempt = 1; attempt <= config.bindAttempts; attempt++) {
            try {
                launchOnce();
                portsFixed = true;
                return;
            } catch (BindFailure e) {
                last = e;
                LOG.info("bitcoind could not bind its ports (attempt {} of {}): {}",
                        attempt, config.bindAttempts, e.getMessage());
                if (portsFixed) {
                    sleep(Duration.ofMillis(500L * attempt));
                } else {
                    pickPorts();
                }
            }
        }
        throw new BitcoindException("bitcoind could not bind its ports after " + config.bindAttempts
                + " attempts; last: " + last.getMessage());
    }

    /**
     * Stops bitcoind and waits until it has exited; keeps the datadir and ports for {@link #start()}. Does nothing
     * when it is not running.
     */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Process p = process;
        try {
            if (p.isAlive()) {
                boolean asked = false;
                try {
                    LauncherRpc.call(rpcUrl(), rpcUser(), rpcPassword(), PROBE_TIMEOUT, "stop");
                    asked = true;
                } catch (IOException e) {
                    // e.g. still warming up (-28), or already shutting down after a Ctrl-C reached it too
                    LOG.debug("RPC stop failed ({}); sending SIGTERM", e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (!asked) {
                    kill(p, config.stopTimeout);
                } else if (!awaitExit(p, config.stopTimeout)) {
                    LOG.warn("bitcoind pid {} did not exit within {} s of RPC stop",
                            String.valueOf(p.pid()), config.stopTimeout.toSeconds());
                    kill(p, TERM_GRACE);
                }
            }
        } finally {
            process = null;
            cookiePassword = null;
        }
    }

    /** {@link #stop()} then {@link #start()}: same datadir (so the same chain), same ports. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** Stops bitcoind and deletes a temporary datadir. Idempotent. */
    @Override
    public void close() {
        closing = true;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                stop();
            } finally {
                if (ownsDatadir) {
                    deleteDatadir();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException | SecurityException e) {
                    // the JVM is already shutting down (possibly running this very hook)
                }
            }
        }
    }

    private void closeFromShutdownHook() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("bitcoind shutdown hook: " + e.getMessage());
        }
    }

    @Override
    public synchronized String toString() {
        return "bitcoind[pid " + (process == null ? "-" : process.pid()) + ", rpc " + rpcUrl() + ", p2p 127.0.0.1:"
                + p2pPort + ", datadir " + datadir + "]";
    }

    // ------------------------------------------------------------------------------------------------ internals

    private void launchOnce() throws BindFailure {
        writeConfig();
        long logStart = size(debugLog());
        long outStart = size(consoleLog());
        if (config.auth == BitcoindLauncher.Auth.COOKIE) {
            try {
                Files.deleteIfExists(cookiePath());
            } catch (IOException e) {
                throw new BitcoindException("cannot remove the stale cookie " + cookiePath() + ": " + e, e);
            }
        }
        List<String> command = command();
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(datadir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog().toFile()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BitcoindException("cannot run " + config.binary + ": " + e.getMessage(), e);
        }
        process = p;
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // stdin is not used
        }
        LOG.info("started bitcoind, pid {}, rpc port {}, datadir {}",
                String.valueOf(p.pid()), String.valueOf(rpcPort), datadir);
        LOG.debug("bitcoind command: {}", String.join(" ", command));
        try {
            awaitRpc(p, logStart, outStart);
            String fresh = readFrom(debugLog(), logStart);
            if (BIND_FAILURE.matcher(fresh).find()) {
                // P2P binds late in start-up (just before RPC leaves warm-up), and bitcoind keeps running when an
                // explicit -bind fails; its log is the only sign
                throw new BindFailure(lastMatchingLine(fresh, BIND_FAILURE));
            }
        } catch (BindFailure | RuntimeException | Error e) {
            kill(p, TERM_GRACE);
            process = null;
            throw e;
        }
    }

    private void awaitRpc(Process p, long logStart, long outStart) throws BindFailure {
        long deadline = System.nanoTime() + config.startTimeout.toNanos();
        String lastProblem = "no answer yet";
        while (true) {
            if (closing) {
                throw new BitcoindException("bitcoind start interrupted: the launcher is closing");
            }
            if (!p.isAlive()) {
                String out = readFrom(consoleLog(), outStart) + readFrom(debugLog(), logStart);
                if (BIND_FAILURE.matcher(out).find()) {
                    throw new BindFailure(lastMatchingLine(out, BIND_FAILURE));
                }
                throw new BitcoindException("bitcoind (pid " + p.pid() + ") exited with code " + exitCode(p)
                        + " before its RPC answered.\n" + diagnostics(logStart, outStart));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BitcoindException("bitcoind (pid " + p.pid() + ") did not answer RPC on " + rpcUrl() + " within "
                        + config.startTimeout.toMillis() + " ms (last: " + lastProblem + "); stopped it.\n"
                        + diagnostics(logStart, outStart));
            }
            String password = config.auth == BitcoindLauncher.Auth.PASSWORD ? rpcPassword : readCookie();
            if (password != null) {
                try {
                    LauncherRpc.call(rpcUrl(), rpcUser(), password, PROBE_TIMEOUT, "getblockcount");
                    if (config.auth == BitcoindLauncher.Auth.COOKIE) {
                        cookiePassword = password;
                    }
                    return;
                } catch (LauncherRpc.RpcError e) {
                    lastProblem = e.getMessage(); // -28 "Loading block index..." and friends: still warming up
                    if (e.code != LauncherRpc.RPC_IN_WARMUP) {
                        throw new BitcoindException("bitcoind answered getblockcount with an error: "
                                + e.getMessage());
                    }
                } catch (ConnectException | HttpTimeoutException e) {
                    lastProblem = "RPC port not open yet";
                } catch (IOException e) {
                    // includes 401 (a cookie being rewritten, or a stranger on a port that bitcoind will fail to bind)
                    lastProblem = e.getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BitcoindException("interrupted while waiting for bitcoind", e);
                }
            } else {
                lastProblem = "no cookie file yet";
            }
            sleep(POLL);
        }
    }

    private List<String> command() {
        List<String> c = new ArrayList<>();
        c.add(config.binary.toString());
        c.add("-regtest");
        c.add("-datadir=" + datadir);
        c.add("-conf=" + confPath());
        c.add("-server");
        c.add("-listen=1");
        c.add("-bind=127.0.0.1:" + p2pPort);
        // bitcoind always binds an onion-service target (127.0.0.1:18445 on regtest); give it a free port too,
        // so several nodes (and a developer's own regtest node) do not collide
        c.add("-bind=127.0.0.1:" + onionPort + "=onion");
        c.add("-listenonion=0");
        c.add("-port=" + p2pPort);
        c.add("-rpcbind=127.0.0.1");
        c.add("-rpcallowip=127.0.0.1");
        c.add("-rpcport=" + rpcPort);
        c.add("-fallbackfee=0.0002");
        c.add("-txindex=0");
        c.add("-printtoconsole=0");
        c.add("-debuglogfile=" + debugLog());
        c.add("-shrinkdebugfile=0");
        c.addAll(config.extraArgs);
        return c;
    }

    /** bitcoin.conf: credentials stay off the command line, and bitcoin-cli -datadir=DATADIR finds the node. */
    private void writeConfig() {
        Path conf = confPath();
        try {
            if (Files.exists(conf)) {
                String existing = Files.readString(conf, StandardCharsets.UTF_8);
                if (!existing.startsWith(CONF_MARKER)) {
                    throw new BitcoindException("the datadir " + datadir + " has its own bitcoin.conf; give the"
                            + " launcher an empty directory");
                }
            }
            StringBuilder s = new StringBuilder();
            s.append(CONF_MARKER).append(" (org.sidechains.bmm.regtest.bitcoind); rewritten on every start.\n");
            s.append("regtest=1\n");
            if (config.auth == BitcoindLauncher.Auth.PASSWORD) {
                s.append("rpcuser=").append(BitcoindLauncher.RPC_USER).append('\n');
                s.append("rpcpassword=").append(rpcPassword).append('\n');
            }
            s.append("[regtest]\n");
            s.append("rpcport=").append(rpcPort).append('\n');
            s.append("port=").append(p2pPort).append('\n');
            if (!Files.exists(conf) && conf.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(conf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(conf, s, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BitcoindException("cannot write " + conf + ": " + e, e);
        }
    }

    private String readCookie() {
        try {
            String cookie = Files.readString(cookiePath(), StandardCharsets.UTF_8).trim();
            int colon = cookie.indexOf(':');
            return colon < 0 ? null : cookie.substring(colon + 1);
        } catch (IOException e) {
            return null; // not written yet
        }
    }

    private void pickPorts() {
        // hold all three sockets at once so the ports differ, then release them for bitcoind; another process may
        // take one in between, which start() notices (bitcoind fails to bind) and answers with fresh ports
        try (ServerSocket a = freeSocket(); ServerSocket b = freeSocket(); ServerSocket c = freeSocket()) {
            rpcPort = a.getLocalPort();
            p2pPort = b.getLocalPort();
            onionPort = c.getLocalPort();
        } catch (IOException e) {
            throw new BitcoindException("cannot find free ports on 127.0.0.1: " + e, e);
        }
    }

    private static ServerSocket freeSocket() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return s;
    }

    /** Waits for {@code p} to exit; on interruption kills it and keeps the interrupt flag. */
    private static boolean awaitExit(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return !p.isAlive();
        }
    }

    /** SIGTERM (bitcoind then shuts down cleanly), and SIGKILL if it is still there after a grace period. */
    private static void kill(Process p, Duration grace) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        if (awaitExit(p, grace)) {
            return;
        }
        LOG.warn("bitcoind pid {} ignored SIGTERM for {} s; killing it",
                String.valueOf(p.pid()), grace.toSeconds());
        p.destroyForcibly();
        if (!awaitExit(p, TERM_GRACE)) {
            throw new BitcoindException("bitcoind pid " + p.pid() + " did not die");
        }
    }

    private void deleteDatadir() {
        if (!Files.exists(datadir)) {
            return;
        }
        try {
            Files.walkFileTree(datadir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("could not delete the bitcoind datadir {}: {}", datadir, e.toString());
        }
    }

    private String diagnostics(long logStart, long outStart) {
        StringBuilder s = new StringBuilder();
        s.append("Command: ").append(String.join(" ", command())).append('\n');
        String out = tail(readFrom(consoleLog(), outStart));
        if (!out.isBlank()) {
            s.append("bitcoind's output:\n").append(out).append('\n');
        }
        String log = tail(readFrom(debugLog(), logStart));
        s.append("Last lines of ").append(debugLog()).append(":\n").append(log.isBlank() ? "(empty)" : log);
        return s.toString();
    }

    private static String tail(String text) {
        String[] lines = text.split("\r?\n");
        int from = Math.max(0, lines.length - TAIL_LINES);
        return String.join("\n", java.util.Arrays.asList(lines).subList(from, lines.length));
    }

    private static String lastMatchingLine(String text, Pattern p) {
        String found = "";
        for (String line : text.split("\r?\n")) {
            if (p.matcher(line).find()) {
                found = line.trim();
            }
        }
        return found;
    }

    /** The file from {@code offset} on (at most its last 64 KiB), or "" when missing. */
    private static String readFrom(Path file, long offset) {
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long start = Math.max(Math.min(offset, size), size - 64 * 1024);
            ch.position(start);
            ByteBuffer buf = ByteBuffer.allocate((int) (size - start));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read it all
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String exitCode(Process p) {
        try {
            return String.valueOf(p.exitValue());
        } catch (IllegalThreadStateException e) {
            return "?";
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BitcoindException("interrupted while waiting for bitcoind", e);
        }
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private Path confPath() {
        return datadir.resolve("bitcoin.conf");
    }

    private Path consoleLog() {
        return datadir.resolve("bitcoind.out");
    }

    private Path cookiePath() {
        return datadir.resolve("regtest").resolve(".cookie");
    }

}
