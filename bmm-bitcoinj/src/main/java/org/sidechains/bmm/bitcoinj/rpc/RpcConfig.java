package org.sidechains.bmm.bitcoinj.rpc;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where bitcoind's JSON-RPC server is and how to talk to it.
 *
 * @param url            e.g. {@code http://127.0.0.1:18443/} (a wallet endpoint such as
 *                       {@code /wallet/name} works too)
 * @param connectTimeout for the TCP connect; a stopped local node refuses at once anyway
 * @param readTimeout    for each read of the answer; {@code generatetoaddress} of many blocks and
 *                       {@code getblock} of large blocks are the slow calls
 * @param warmup         how long -28 (warming up) is retried
 */
public record RpcConfig(URI url, RpcAuth auth, Duration connectTimeout, Duration readTimeout, WarmupRetry warmup) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    public RpcConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(warmup, "warmup");
        if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("bitcoind's RPC URL must be http(s), got " + url);
        }
        if (!(connectTimeout.compareTo(Duration.ZERO) > 0) || !(readTimeout.compareTo(Duration.ZERO) > 0)) {
            throw new IllegalArgumentException("timeouts must be positive, got connect " + connectTimeout + ", read " + readTimeout);
        }
    }

    /** Default timeouts and warm-up retry. */
    public static RpcConfig of(URI url, RpcAuth auth) {
        return new RpcConfig(url, auth, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, WarmupRetry.DEFAULT);
    }

    /** {@code http://127.0.0.1:port/} with user and password. */
    public static RpcConfig local(int port, String user, String password) {
        return of(URI.create("http://127.0.0.1:" + port + "/"), RpcAuth.userPassword(user, password));
    }

    public RpcConfig withTimeouts(Duration connect, Duration read) {
        return new RpcConfig(url, auth, connect, read, warmup);
    }

    public RpcConfig withWarmup(WarmupRetry w) {
        return new RpcConfig(url, auth, connectTimeout, readTimeout, w);
    }

    public RpcConfig withAuth(RpcAuth a) {
        return new RpcConfig(url, a, connectTimeout, readTimeout, warmup);
    }
}
