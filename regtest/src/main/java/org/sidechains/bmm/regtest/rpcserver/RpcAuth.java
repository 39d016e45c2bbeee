package org.sidechains.bmm.regtest.rpcserver;

import java.nio.file.Path;
import java.util.Objects;

/** How clients log in (HTTP Basic): a fixed user and password, or a bitcoind-style cookie file. */
public sealed interface RpcAuth {
    /** A fixed user and password ({@code -rpcuser}/{@code -rpcpassword}). */
    record UserPassword(String user, String password) implements RpcAuth {
        public UserPassword {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (user.contains(":")) {
                throw new IllegalArgumentException("an HTTP Basic user cannot contain ':'");
            }
            if (password.isEmpty()) {
                throw new IllegalArgumentException("the password must not be empty");
            }
        }

        @Override
        public String toString() {
            return "UserPassword[user=" + user + ", password=***]";
        }
    }

    /**
     * A random password written to {@code file} as {@code __cookie__:<64 hex>} when the server
     * starts (owner-only permissions) and deleted when it stops, as bitcoind's {@code .cookie}.
     */
    record Cookie(Path file) implements RpcAuth {
        public Cookie {
            Objects.requireNonNull(file, "file");
        }
    }

    static RpcAuth userPassword(String user, String password) {
        return new UserPassword(user, password);
    }

    static RpcAuth cookie(Path file) {
        return new Cookie(file);
    }
}
