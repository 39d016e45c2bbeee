package org.sidechains.bmm.regtest.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.bitcoinj.rpc.RpcConfig;
import picocli.CommandLine.Option;

/** How to reach a running bitcoind's JSON-RPC: {@code --rpc-url} with a user and password or a cookie file. */
final class RpcOptions {
    // a String, not a URI: picocli's own conversion error for "127.0.0.1:18443" (a scheme of "127.0.0.1") says nothing useful
    @Option(names = "--rpc-url", paramLabel = "URL", description = "bitcoind's JSON-RPC URL, e.g. http://127.0.0.1:18443")
    String url;

    @Option(names = "--rpc-user", paramLabel = "USER", description = "JSON-RPC user (with --rpc-password)")
    String user;

    @Option(names = "--rpc-password", paramLabel = "PASSWORD", description = "JSON-RPC password (with --rpc-user)")
    String password;

    @Option(names = "--rpc-cookie", paramLabel = "FILE",
            description = "bitcoind's cookie file (e.g. ~/.bitcoin/regtest/.cookie), instead of a user and password")
    Path cookie;

    /** The RPC configuration, or empty when no {@code --rpc-url} was given. */
    Optional<RpcConfig> config() throws UsageException {
        if (url == null) {
            if (user != null || password != null || cookie != null) {
                throw new UsageException("--rpc-user, --rpc-password and --rpc-cookie need --rpc-url");
            }
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1
                || uri.getPort() > 65535) {
            throw new UsageException("--rpc-url must look like http://HOST:PORT (regtest's default RPC port is 18443), got "
                    + url);
        }
        RpcAuth auth;
        if (cookie != null) {
            if (user != null || password != null) {
                throw new UsageException("give either --rpc-cookie or --rpc-user/--rpc-password, not both");
            }
            auth = RpcAuth.cookie(cookie);
        } else {
            if (user == null || password == null) {
                throw new UsageException("--rpc-url needs --rpc-user and --rpc-password, or --rpc-cookie");
            }
            auth = RpcAuth.userPassword(user, password);
        }
        return Optional.of(RpcConfig.of(uri, auth));
    }

    /** A usage mistake, reported as one line with exit code 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}
