package org.sidechains.bmm.bitcoinj.chain;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import org.bitcoinj.core.StoredBlock;
import org.bitcoinj.store.BlockStore;
import org.bitcoinj.store.BlockStoreException;
import org.bitcoinj.store.SPVBlockStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps bitcoinj 0.17.1's {@link SPVBlockStore#get} from spinning forever. Its backwards scan stops
 * when it comes round to the write cursor again, but right after the ring's last slot is written
 * the cursor sits at the very end of the file, which the scan never reaches again: a lookup that
 * misses (an orphan's parent, a header a restore puts back) never returns, with the store's and the
 * chain's locks held. Fixed upstream after 0.17.1 (bitcoinj pull request 4257).
 *
 * <p>Before such a lookup the cursor is moved on by writing a header the store already has once
 * more, into the slot the next write would take anyway: a lookup finds the copy as it finds the
 * original. bitcoinj keeps the cursor and the file length private, so they are read through
 * handles; on a bitcoinj without them the guard does nothing and says so once.
 */
final class SpvRingGuard {
    private static final Logger log = LoggerFactory.getLogger(SpvRingGuard.class);
    private static final MethodHandle CURSOR;
    private static final VarHandle FILE_LENGTH;

    static {
        MethodHandle cursor = null;
        VarHandle length = null;
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(SPVBlockStore.class, MethodHandles.lookup());
            cursor = l.findVirtual(SPVBlockStore.class, "getRingCursor", MethodType.methodType(int.class));
            length = l.findVarHandle(SPVBlockStore.class, "fileLength", int.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("cannot read SPVBlockStore's ring cursor ({}): lookups that miss may hang as in bitcoinj 0.17.1", e.toString());
        }
        CURSOR = cursor;
        FILE_LENGTH = length;
    }

    private SpvRingGuard() {
    }

    /**
     * Call before a lookup in {@code store} that may miss; {@code known} is a header the store
     * holds (the chain's head), written again if the cursor is at the end of the file.
     */
    static void beforeLookup(BlockStore store, StoredBlock known) throws BlockStoreException {
        if (CURSOR == null || !(store instanceof SPVBlockStore spv)) {
            return;
        }
        int cursor;
        try {
            cursor = (int) CURSOR.invokeExact(spv);
        } catch (Throwable e) { // a closed store (no buffer): its own lookup will say so
            return;
        }
        if (cursor == (int) FILE_LENGTH.get(spv)) {
            spv.put(known);
        }
    }

    /** Whether the guard can see SPVBlockStore's cursor (tests). */
    static boolean active() {
        return CURSOR != null;
    }
}
