package org.sidechains.bmm.regtest.embedded;

import java.util.List;

/**
 * What connecting a block spent, as bitcoind's {@code CBlockUndo}: for each non-coinbase
 * transaction, in block order, the outputs its inputs spent, in input order (outputs created
 * earlier in the same block included). Enough to disconnect the block, and what {@code getblock}
 * shows as fees and (verbosity 3) prevouts.
 */
public record BlockUndo(List<List<UnspentOutput>> spent) {
    public BlockUndo {
        spent = spent.stream().map(List::copyOf).toList();
    }
}
