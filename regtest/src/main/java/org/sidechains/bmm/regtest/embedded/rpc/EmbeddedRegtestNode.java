package org.sidechains.bmm.regtest.embedded.rpc;

import java.net.URI;
import java.util.Objects;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;
import org.sidechains.bmm.regtest.rpcserver.RpcCredentials;
import org.sidechains.bmm.regtest.rpcserver.RpcServer;

/**
 * An embedded regtest chain served over JSON-RPC on loopback, so any process of the project can
 * point at it by URL as at a bitcoind: {@code EmbeddedRegtestNode.start(chain, auth)}, then
 * {@link #url()} and {@link #credentials()}. Closing stops the server (and deletes its cookie),
 * then closes the chain.
 */
public final class EmbeddedRegtestNode implements AutoCloseable {
    private final EmbeddedRegtestChain chain;
    private final RpcServer server;

    private EmbeddedRegtestNode(EmbeddedRegtestChain chain, RpcServer server) {
        this.chain = chain;
        this.server = server;
    }

    /** Serves {@code chain} on 127.0.0.1 at a free port. */
    public static EmbeddedRegtestNode start(EmbeddedRegtestChain chain, RpcAuth auth) {
        return start(chain, auth, 0);
    }

    public static EmbeddedRegtestNode start(EmbeddedRegtestChain chain, RpcAuth auth, int port) {
        Objects.requireNonNull(chain, "chain");
        RpcServer server = RpcServer.builder()
                .methods(new EmbeddedRpcService(chain).methods())
                .auth(auth)
                .port(port)
                .threadName("embedded-regtest-rpc")
                .start();
        return new EmbeddedRegtestNode(chain, server);
    }

    public EmbeddedRegtestChain chain() {
        return chain;
    }

    public RpcServer server() {
        return server;
    }

    public URI url() {
        return server.url();
    }

    public RpcCredentials credentials() {
        return server.credentials();
    }

    @Override
    public void close() {
        server.close();
        chain.close();
    }
}
