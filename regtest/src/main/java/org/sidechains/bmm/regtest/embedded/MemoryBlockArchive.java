package org.sidechains.bmm.regtest.embedded;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;

/** A {@link BlockArchive} in memory: everything is gone when the JVM exits. */
public final class MemoryBlockArchive implements BlockArchive {
    private final Map<Sha256Hash, byte[]> blocks = new HashMap<>();
    private final List<Sha256Hash> order = new ArrayList<>();

    @Override
    public void put(Sha256Hash hash, byte[] serializedBlock) {
        if (blocks.putIfAbsent(hash, serializedBlock.clone()) == null) {
            order.add(hash);
        }
    }

    @Override
    public Optional<byte[]> get(Sha256Hash hash) {
        return Optional.ofNullable(blocks.get(hash)).map(byte[]::clone);
    }

    @Override
    public List<Sha256Hash> arrivalOrder() {
        return List.copyOf(order);
    }
}
