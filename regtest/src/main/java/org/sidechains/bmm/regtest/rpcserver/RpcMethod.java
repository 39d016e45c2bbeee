package org.sidechains.bmm.regtest.rpcserver;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A method the server answers: its name, its parameters (checked for count and JSON type before
 * the handler runs, with bitcoind's errors) and its handler.
 */
public record RpcMethod(String name, List<RpcParam> params, RpcHandler handler) {
    public RpcMethod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(handler, "handler");
        params = List.copyOf(params);
        boolean optionalSeen = false;
        for (RpcParam p : params) {
            if (p.required() && optionalSeen) {
                throw new IllegalArgumentException(name + ": required parameter " + p.name() + " after an optional one");
            }
            optionalSeen |= !p.required();
        }
    }

    public static RpcMethod of(String name, RpcHandler handler, RpcParam... params) {
        return new RpcMethod(name, List.of(params), handler);
    }

    public int requiredCount() {
        return (int) params.stream().filter(RpcParam::required).count();
    }

    /** A one-line usage in bitcoind's help style: {@code getblock "blockhash" ( verbosity )}. */
    public String usage() {
        String required = params.stream().filter(RpcParam::required)
                .map(p -> p.type() == RpcType.STRING ? "\"" + p.primaryName() + "\"" : p.primaryName())
                .collect(Collectors.joining(" "));
        String optional = params.stream().filter(p -> !p.required())
                .map(p -> p.type() == RpcType.STRING ? "\"" + p.primaryName() + "\"" : p.primaryName())
                .collect(Collectors.joining(" "));
        StringBuilder s = new StringBuilder(name);
        if (!required.isEmpty()) {
            s.append(' ').append(required);
        }
        if (!optional.isEmpty()) {
            s.append(" ( ").append(optional).append(" )");
        }
        return s.toString();
    }
}
