package org.sidechains.bmm.regtest.rpcserver;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;

/** A user and password a running server accepts; what a client puts in its Authorization header. */
public record RpcCredentials(String user, String password) {
    public RpcCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /** The value of an HTTP {@code Authorization} header for these credentials. */
    public String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether an {@code Authorization} header carries exactly these credentials (constant time). */
    boolean accepts(String authorizationHeader) {
        if (authorizationHeader == null) {
            return false;
        }
        return MessageDigest.isEqual(basicHeader().getBytes(StandardCharsets.UTF_8),
                authorizationHeader.trim().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "RpcCredentials[user=" + user + ", password=***]";
    }
}
