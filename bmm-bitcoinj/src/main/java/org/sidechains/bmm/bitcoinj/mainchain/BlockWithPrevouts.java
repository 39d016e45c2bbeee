package org.sidechains.bmm.bitcoinj.mainchain;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.TransactionOutPoint;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;

/**
 * A block and every output its non-coinbase inputs spend (from {@code getblock} verbosity 3), so a
 * follower can check OP_CBV without keeping its own output index. Spends of outputs created in the
 * same block are included too.
 */
public record BlockWithPrevouts(Block block, int height, Map<TransactionOutPoint, Prevout> prevouts)
        implements PrevoutSource {
    public BlockWithPrevouts {
        Objects.requireNonNull(block, "block");
        prevouts = Map.copyOf(prevouts);
    }

    @Override
    public Optional<Prevout> find(TransactionOutPoint outpoint) {
        return Optional.ofNullable(prevouts.get(outpoint));
    }
}
