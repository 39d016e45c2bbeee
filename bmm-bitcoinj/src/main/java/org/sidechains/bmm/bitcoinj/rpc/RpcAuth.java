package org.sidechains.bmm.bitcoinj.rpc;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a JSON-RPC client logs in (HTTP Basic): a fixed user and password, or bitcoind's cookie
 * file. The same values configure the project's own JSON-RPC servers, which write the cookie file.
 */
public sealed interface RpcAuth {

    /** {@code -rpcuser}/{@code -rpcpassword} (or an {@code -rpcauth} entry). */
    record UserPassword(String user, String password) implements RpcAuth {
        public UserPassword {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        /** The password stays out of logs. */
        @Override
        public String toString() {
            return "UserPassword[user=" + user + ", password=***]";
        }
    }

    /**
     * bitcoind's {@code .cookie} ({@code __cookie__:<random hex>}). bitcoind writes a new one each
     * time it starts, so the client reads the file lazily and again after an HTTP 401. A server of
     * this project writes it (owner-only) when it starts and deletes it when it stops.
     */
    record CookieFile(Path path) implements RpcAuth {
        public CookieFile {
            Objects.requireNonNull(path, "path");
        }
    }

    static RpcAuth userPassword(String user, String password) {
        return new UserPassword(user, password);
    }

    static RpcAuth cookie(Path path) {
        return new CookieFile(path);
    }
}
