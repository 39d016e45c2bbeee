package org.sidechains.bmm.regtest.rpcserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small JSON-RPC server in bitcoind's manner on the JDK's {@link HttpServer}: loopback only by
 * default, HTTP Basic auth (user/password or a cookie file), POST of a single request or a batch,
 * replies and errors exactly as bitcoind answers them ({@link JsonRpcDispatcher}). A wrong login
 * gets 401 with an empty body, after a short delay as bitcoind does against guessing.
 *
 * <p>Generic: methods are registered by name ({@link RpcMethod}); the embedded regtest chain and
 * the BMM miner daemon each bring their own.
 */
public final class RpcServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);
    /** bitcoind's MAX_SIZE for a request body. */
    private static final int MAX_BODY = 32 * 1024 * 1024;
    /** The JDK server's switch for TCP_NODELAY on the connections it accepts (off by default). */
    static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

    static {
        // The JDK server writes a reply in several small writes; with Nagle's algorithm on, the last one
        // waits for the client's delayed ACK (about 40 ms on Linux), so every call took ~40 ms more and
        // a demo block (five calls) about 200 ms. The JDK reads the switch once, when its first server
        // is made in this JVM, so it is set here, before any; a value given on the command line wins.
        if (System.getProperty(NODELAY_PROPERTY) == null) {
            System.setProperty(NODELAY_PROPERTY, "true");
        }
    }

    private final HttpServer http;
    private final ExecutorService executor;
    private final JsonRpcDispatcher dispatcher;
    private final List<RpcCredentials> accepted;
    private final Optional<CookieFile> cookie;
    private final Duration badAuthDelay;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RpcServer(Builder b, List<RpcCredentials> accepted, Optional<CookieFile> cookie) throws IOException {
        this.dispatcher = new JsonRpcDispatcher(b.methods);
        this.accepted = List.copyOf(accepted);
        this.cookie = cookie;
        this.badAuthDelay = b.badAuthDelay;
        this.http = HttpServer.create(new InetSocketAddress(b.bindAddress, b.port), 64);
        AtomicInteger n = new AtomicInteger();
        String name = b.threadName;
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newFixedThreadPool(b.threads, threads);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:40213/}. */
    public URI url() {
        InetSocketAddress a = http.getAddress();
        return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/");
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** The credentials a client can log in with (the first configured; the cookie's if there is one). */
    public RpcCredentials credentials() {
        return cookie.map(CookieFile::credentials).orElseGet(() -> accepted.get(0));
    }

    /** Where the cookie was written, if the server uses one. */
    public Optional<java.nio.file.Path> cookieFile() {
        return cookie.map(CookieFile::path);
    }

    /** The dispatcher behind the server, to call methods in-process with the same parameter handling. */
    public JsonRpcDispatcher dispatcher() {
        return dispatcher;
    }

    /** Stops accepting, lets running requests end (briefly), stops the threads and deletes the cookie. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        http.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        cookie.ifPresent(CookieFile::delete);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
                pause(badAuthDelay);
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"jsonrpc\"");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            if (!"POST".equals(ex.getRequestMethod())) {
                send(ex, 405, "text/html", "JSONRPC server handles only POST requests");
                return;
            }
            byte[] body = readBody(ex.getRequestBody());
            if (body == null) {
                send(ex, 413, "text/html", "Request Entity Too Large");
                return;
            }
            JsonRpcDispatcher.Reply reply = dispatcher.dispatch(body);
            send(ex, reply.httpStatus(), "application/json", reply.body());
        } catch (IOException | UncheckedIOException e) {
            log.debug("RPC exchange failed: {}", e.toString());
        }
    }

    private boolean authorized(String header) {
        for (RpcCredentials c : accepted) {
            if (c.accepts(header)) {
                return true;
            }
        }
        return cookie.isPresent() && cookie.get().credentials().accepts(header);
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        return body.length > MAX_BODY ? null : body;
    }

    private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Configures and starts a server. */
    public static final class Builder {
        private final List<RpcMethod> methods = new ArrayList<>();
        private final List<RpcAuth> auths = new ArrayList<>();
        private InetAddress bindAddress = loopback();
        private int port;
        private int threads = 4;
        private String threadName = "rpc";
        private Duration badAuthDelay = Duration.ofMillis(250);

        private Builder() {
        }

        private static InetAddress loopback() {
            try {
                return InetAddress.getByName("127.0.0.1");
            } catch (IOException e) {
                return InetAddress.getLoopbackAddress();
            }
        }

        public Builder method(RpcMethod m) {
            methods.add(Objects.requireNonNull(m));
            return this;
        }

        public Builder methods(List<RpcMethod> ms) {
            ms.forEach(this::method);
            return this;
        }

        /**
         * Adds a way to log in; at least one is needed. A cookie file is written when the server
         * starts and deleted when it stops.
         */
        public Builder auth(RpcAuth auth) {
            if (Objects.requireNonNull(auth) instanceof RpcAuth.UserPassword up) {
                if (up.user().contains(":")) {
                    throw new IllegalArgumentException("an HTTP Basic user cannot contain ':'");
                }
                if (up.password().isEmpty()) {
                    throw new IllegalArgumentException("the password must not be empty");
                }
            }
            auths.add(auth);
            return this;
        }

        /** 0 (the default) picks a free port; see {@link RpcServer#url()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            this.port = port;
            return this;
        }

        /** 127.0.0.1 by default; anything else exposes the server beyond this machine. */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address);
            return this;
        }

        public Builder threads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("threads " + n);
            }
            this.threads = n;
            return this;
        }

        public Builder threadName(String name) {
            this.threadName = Objects.requireNonNull(name);
            return this;
        }

        /** How long a wrong login waits before its 401 (bitcoind: 250 ms). */
        public Builder badAuthDelay(Duration d) {
            this.badAuthDelay = Objects.requireNonNull(d);
            return this;
        }

        public RpcServer start() {
            if (auths.isEmpty()) {
                throw new IllegalStateException("an RPC server needs a user/password or a cookie file");
            }
            List<RpcCredentials> fixed = new ArrayList<>();
            Optional<CookieFile> cookie = Optional.empty();
            for (RpcAuth a : auths) {
                if (a instanceof RpcAuth.UserPassword up) {
                    fixed.add(new RpcCredentials(up.user(), up.password()));
                } else if (a instanceof RpcAuth.CookieFile c) {
                    if (cookie.isPresent()) {
                        throw new IllegalStateException("only one cookie file per server");
                    }
                    cookie = Optional.of(CookieFile.write(c.path()));
                }
            }
            try {
                return new RpcServer(this, fixed, cookie);
            } catch (IOException e) {
                cookie.ifPresent(CookieFile::delete);
                throw new UncheckedIOException("cannot bind the RPC server to " + bindAddress.getHostAddress() + ":" + port, e);
            }
        }
    }
}
