package org.sidechains.bmm.regtest.embedded;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionWitness;
import org.sidechains.bmm.bitcoinj.chain.WitnessCommitment;
import org.sidechains.bmm.bitcoinj.tx.TransactionChecks;

/**
 * The checks bitcoind v25 makes before a block is stored, with its reject reasons: CheckBlock
 * (context-free), ContextualCheckBlockHeader and ContextualCheckBlock (need the parent). Rules of
 * regtest: fixed difficulty, BIP34/65/66, CSV and segwit active from height 1 (segwit from 0).
 */
final class BlockChecks {
    static final int MAX_BLOCK_WEIGHT = 4_000_000;
    static final int WITNESS_SCALE_FACTOR = 4;
    private static final long LOCKTIME_THRESHOLD = 500_000_000L;
    private static final long SEQUENCE_FINAL = 0xffffffffL;

    private BlockChecks() {
    }

    /** CheckBlock: proof of work, merkle root and its mutation, sizes, the coinbase, each transaction. */
    static Optional<Refusal> checkBlock(Block block) {
        return checkBlock(block, true);
    }

    /** CheckBlock, with or without the proof of work (TestBlockValidity of a proposal: without). */
    static Optional<Refusal> checkBlock(Block block, boolean checkPow) {
        if (checkPow && !Pow.check(block.getHash(), block.getDifficultyTarget())) {
            return Optional.of(Refusal.of("high-hash", "proof of work failed"));
        }
        List<Transaction> txs = block.getTransactions();
        if (txs == null || txs.isEmpty()) {
            return Optional.of(Refusal.of("bad-blk-length", "size limits failed"));
        }
        Merkle.Root root = Merkle.of(block);
        if (!root.hash().equals(block.getMerkleRoot())) {
            return Optional.of(Refusal.mutated("bad-txnmrklroot", "hashMerkleRoot mismatch"));
        }
        if (root.mutated()) {
            return Optional.of(Refusal.mutated("bad-txns-duplicate", "duplicate transaction"));
        }
        if ((long) txs.size() * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT
                || (long) strippedSize(block) * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
            return Optional.of(Refusal.of("bad-blk-length", "size limits failed"));
        }
        if (!txs.get(0).isCoinBase()) {
            return Optional.of(Refusal.of("bad-cb-missing", "first tx is not coinbase"));
        }
        for (int i = 1; i < txs.size(); i++) {
            if (txs.get(i).isCoinBase()) {
                return Optional.of(Refusal.of("bad-cb-multiple", "more than one coinbase"));
            }
        }
        for (Transaction tx : txs) {
            Optional<Refusal> r = checkTransaction(tx);
            if (r.isPresent()) {
                return Optional.of(Refusal.of(r.get().reason(), "Transaction check failed (tx hash " + tx.getTxId()
                        + ") " + r.get().detail()));
            }
        }
        return Optional.empty();
    }

    /** CheckTransaction: the rules that need nothing but the transaction. */
    static Optional<Refusal> checkTransaction(Transaction tx) {
        return TransactionChecks.check(tx).map(f -> Refusal.of(f.reason(), ""));
    }

    /** ContextualCheckBlockHeader: regtest's bits, time above the parent's median time past, version. */
    static Optional<Refusal> checkHeader(Block block, long parentMedianTimePast) {
        if (block.getDifficultyTarget() != Pow.REGTEST_BITS) {
            return Optional.of(Refusal.of("bad-diffbits", "incorrect proof of work"));
        }
        if (block.getTimeSeconds() <= parentMedianTimePast) {
            return Optional.of(Refusal.of("time-too-old", "block's timestamp is too early"));
        }
        // bitcoind's nVersion is a signed int32 (bitcoinj reads it unsigned): 0x80000000 and up are negative
        int version = (int) block.getVersion();
        if (version < 4) {
            return Optional.of(Refusal.of(String.format("bad-version(0x%08x)", version),
                    String.format("rejected nVersion=0x%08x block", version)));
        }
        return Optional.empty();
    }

    /** ContextualCheckBlock: finality, BIP34 height, the witness commitment, weight. */
    static Optional<Refusal> checkContextual(Block block, int height, long parentMedianTimePast) {
        List<Transaction> txs = block.getTransactions();
        for (Transaction tx : txs) {
            if (!isFinal(tx, height, parentMedianTimePast)) {
                return Optional.of(Refusal.of("bad-txns-nonfinal", "non-final transaction"));
            }
        }
        byte[] expect = ScriptNum.push(height);
        byte[] sig = txs.get(0).getInput(0).getScriptBytes();
        if (sig.length < expect.length || !Arrays.equals(sig, 0, expect.length, expect, 0, expect.length)) {
            return Optional.of(Refusal.of("bad-cb-height", "block height mismatch in coinbase"));
        }
        Transaction coinbase = txs.get(0);
        OptionalInt commitPos = WitnessCommitment.index(coinbase);
        if (commitPos.isPresent()) {
            TransactionWitness w = coinbase.getInput(0).getWitness();
            if (w.getPushCount() != 1 || w.getPush(0).length != 32) {
                return Optional.of(Refusal.mutated("bad-witness-nonce-size",
                        "ContextualCheckBlock : invalid witness reserved value size"));
            }
            byte[] expected = Merkle.witnessCommitment(txs, w.getPush(0));
            byte[] script = coinbase.getOutput(commitPos.getAsInt()).getScriptBytes();
            if (!Arrays.equals(expected, WitnessCommitment.committed(script))) {
                return Optional.of(Refusal.mutated("bad-witness-merkle-match",
                        "ContextualCheckBlock : witness merkle commitment mismatch"));
            }
        } else {
            for (Transaction tx : txs) {
                if (tx.hasWitnesses()) {
                    return Optional.of(Refusal.mutated("unexpected-witness",
                            "ContextualCheckBlock : unexpected witness data found"));
                }
            }
        }
        if (weight(block) > MAX_BLOCK_WEIGHT) {
            return Optional.of(Refusal.of("bad-blk-weight", "ContextualCheckBlock : weight limit failed"));
        }
        return Optional.empty();
    }

    /** bitcoind's IsFinalTx: lock time passed (height or median time past), or every input final. */
    static boolean isFinal(Transaction tx, int height, long lockTimeCutoff) {
        long lockTime = tx.lockTime().rawValue();
        if (lockTime == 0) {
            return true;
        }
        if (lockTime < (lockTime < LOCKTIME_THRESHOLD ? height : lockTimeCutoff)) {
            return true;
        }
        for (TransactionInput in : tx.getInputs()) {
            if (in.getSequenceNumber() != SEQUENCE_FINAL) {
                return false;
            }
        }
        return true;
    }

    /** Serialized size without witness data. */
    static int strippedSize(Transaction tx) {
        return TransactionChecks.strippedSize(tx);
    }

    static int strippedSize(Block block) {
        int size = Block.HEADER_SIZE + org.bitcoinj.base.VarInt.sizeOf(block.getTransactions().size());
        for (Transaction tx : block.getTransactions()) {
            size += strippedSize(tx);
        }
        return size;
    }

    static int size(Block block) {
        int size = Block.HEADER_SIZE + org.bitcoinj.base.VarInt.sizeOf(block.getTransactions().size());
        for (Transaction tx : block.getTransactions()) {
            size += tx.messageSize();
        }
        return size;
    }

    static int weight(Block block) {
        return strippedSize(block) * (WITNESS_SCALE_FACTOR - 1) + size(block);
    }
}
