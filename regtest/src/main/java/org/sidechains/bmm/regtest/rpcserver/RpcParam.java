package org.sidechains.bmm.regtest.rpcserver;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One parameter of a method: its name (aliases separated by '|', as bitcoind writes
 * {@code "verbosity|verbose"}), its JSON type and whether it is required.
 */
public record RpcParam(String name, RpcType type, boolean required) {
    public RpcParam {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a parameter needs a name");
        }
    }

    public static RpcParam required(String name, RpcType type) {
        return new RpcParam(name, type, true);
    }

    public static RpcParam optional(String name, RpcType type) {
        return new RpcParam(name, type, false);
    }

    /** The names a named-parameter request may use for it. */
    public List<String> aliases() {
        return Arrays.asList(name.split("\\|"));
    }

    /** The first name, for usage lines. */
    public String primaryName() {
        return aliases().get(0);
    }
}
