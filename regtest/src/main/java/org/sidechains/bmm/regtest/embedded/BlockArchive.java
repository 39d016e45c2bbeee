package org.sidechains.bmm.regtest.embedded;

import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;

/**
 * Where the embedded chain keeps the blocks it accepted, serialized, in arrival order. It is the
 * only state that needs to be persisted: the block index, the UTXO set, undo data and D3 are all
 * rebuilt by offering the archived blocks again in arrival order (which also restores "first seen
 * wins" between branches of equal work). {@link MemoryBlockArchive} is the only implementation so
 * far; a file-backed one can be given to {@link EmbeddedChainConfig}. Implementations need not be
 * thread-safe: the chain calls them under its lock.
 */
public interface BlockArchive {
    /** Stores a block that passed the checks done before storing (not necessarily valid to connect). */
    void put(Sha256Hash hash, byte[] serializedBlock);

    Optional<byte[]> get(Sha256Hash hash);

    /** Every stored block's hash, oldest first. */
    List<Sha256Hash> arrivalOrder();
}
