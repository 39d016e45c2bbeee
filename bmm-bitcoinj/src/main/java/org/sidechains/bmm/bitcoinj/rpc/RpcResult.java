package org.sidechains.bmm.bitcoinj.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;

/** One answer of a batch: a result, or bitcoind's error for that call alone. */
public sealed interface RpcResult {

    /** The result, or the {@link MainchainException.Rpc} this entry carries. */
    JsonNode orThrow();

    /** @param result JSON {@code null} is a {@code NullNode}, never Java null */
    record Ok(JsonNode result) implements RpcResult {
        public Ok {
            Objects.requireNonNull(result, "result");
            result = result.deepCopy();
        }

        @Override
        public JsonNode result() {
            return result.deepCopy();
        }

        @Override
        public JsonNode orThrow() {
            return result();
        }
    }

    record Failed(MainchainException.Rpc error) implements RpcResult {
        public Failed {
            Objects.requireNonNull(error, "error");
        }

        @Override
        public JsonNode orThrow() {
            throw error;
        }
    }
}
