package org.sidechains.bmm.regtest.miner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.bitcoinj.base.Address;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.store.BlockStoreException;
import org.bitcoinj.store.MemoryBlockStore;
import org.sidechains.bmm.bitcoinj.assemble.AssembledBlock;
import org.sidechains.bmm.bitcoinj.assemble.BlockAssembler;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.context.BitcoinjContext;
import org.sidechains.bmm.bitcoinj.follow.FollowerListener;
import org.sidechains.bmm.bitcoinj.follow.MainchainFollower;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts;
import org.sidechains.bmm.bitcoinj.m9.M9Spender;
import org.sidechains.bmm.bitcoinj.pool.Admission;
import org.sidechains.bmm.bitcoinj.pool.BribePool;
import org.sidechains.bmm.bitcoinj.pool.PooledBribe;
import org.sidechains.bmm.bitcoinj.pool.Tip;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.cbv.CbvRule;
import org.sidechains.bmm.base.MiniHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BMM miner (the seed's Mary): follows the mainchain with the enforcing chain, keeps the bribe
 * pool on its tip, and on demand builds a block from the node's {@code getblocktemplate}: an M7 for
 * the pool's winners, their M8s, every unmatched template M8 stripped, and a sweep of its own
 * matured M9 outputs (bitcoind's mempool would refuse that spend: OP_NOP6 is non-standard), then
 * {@code submitblock}s it. Claims to M9 outputs are on disk before the block that pays them is
 * submitted.
 */
public final class BmmMiner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BmmMiner.class);
    /** What a sweep pays: above the 1 sat/vB relay floor for any realistic number of claims. */
    static final Fee SWEEP_FEE = Fee.satPerVbyte(2);
    /** Claims per sweep: about 400 weight units each, so that one sweep stays a small part of a block. */
    static final int MAX_SWEEP_CLAIMS = 100;

    /** One mined (or refused) block, and its BMM content. */
    public record Mined(int height, Sha256Hash hash, List<MiniHeader> m7, List<PooledBribe> bribes,
                        List<AssembledBlock.Stripped> stripped, int swept, Coin coinbaseValue,
                        Optional<String> rejected) {
        public Mined {
            m7 = List.copyOf(m7);
            bribes = List.copyOf(bribes);
            stripped = List.copyOf(stripped);
        }

        public boolean accepted() {
            return rejected.isEmpty();
        }
    }

    private final Mainchain main;
    private final ECKey key;
    private final ClaimStore claims;
    private final BmmBlockChain chain;
    private final MainchainFollower follower;
    private final BribePool pool;
    private final BlockAssembler assembler;
    private final Script payout;
    private long extraNonce;

    public BmmMiner(Mainchain main, ECKey key, ClaimStore claims, BmmChainConfig config) {
        this(main, key, claims, config, false);
    }

    /**
     * @param enforce {@code invalidateblock} on the node every block the enforcing chain refuses, so
     *                the node's templates build on a BMM-valid tip
     */
    public BmmMiner(Mainchain main, ECKey key, ClaimStore claims, BmmChainConfig config, boolean enforce) {
        this.main = Objects.requireNonNull(main, "main");
        this.key = Objects.requireNonNull(key, "key");
        this.claims = Objects.requireNonNull(claims, "claims");
        try {
            // a full output index: the pool and the assembler need every unspent output
            this.chain = new BmmBlockChain(main.params(), new MemoryBlockStore(main.params().getGenesisBlock()),
                    config.withFullOutputIndex());
        } catch (BlockStoreException e) {
            throw new IllegalStateException("cannot open an in-memory block store: " + e.getMessage(), e);
        }
        this.follower = new MainchainFollower(main, chain,
                MainchainFollower.Options.DEFAULT.withFetchPrevouts(false).withEnforce(enforce)
                        .withPollInterval(java.time.Duration.ofMillis(200)));
        this.pool = new BribePool(ECKey.fromPublicOnly(key.getPubKeyPoint(), true), chain.prevouts(), follower.tip());
        this.payout = ScriptBuilder.createP2WPKHOutputScript(key);
        this.assembler = new BlockAssembler(main.params(), payout);
        follower.addListener(new FollowerListener() {
            @Override
            public void onTip(Tip tip) {
                int dropped = pool.onTip(tip);
                if (dropped > 0) {
                    log.info("tip {}: {} bribe(s) dropped from the pool", tip, dropped);
                }
            }
        });
    }

    /** Catches up with the mainchain, then follows it in the background. */
    public void start() {
        BitcoinjContext.ensure();
        follower.syncToTip();
        follower.start();
        log.info("miner following {} at {}; payout {}", main.describe(), follower.tip(), payoutAddress());
    }

    /** Where the miner's mainchain is, for people. */
    public String describe() {
        return main.describe();
    }

    public ECKey publicKey() {
        return ECKey.fromPublicOnly(key.getPubKeyPoint(), true);
    }

    public Address payoutAddress() {
        return key.toAddress(ScriptType.P2WPKH, main.params().network());
    }

    public Tip tip() {
        return follower.tip();
    }

    /**
     * Catches up with the mainchain now (the background poll may be up to its interval behind).
     *
     * @return false when the mainchain cannot be reached; the tip is then the last one seen
     */
    public boolean catchUp() {
        BitcoinjContext.ensure();
        try {
            follower.syncToTip();
            return true;
        } catch (org.sidechains.bmm.bitcoinj.mainchain.MainchainException.Unreachable e) {
            return false;
        }
    }

    public BmmBlockChain chain() {
        return chain;
    }

    public MainchainFollower follower() {
        return follower;
    }

    public List<PooledBribe> pool() {
        return pool.snapshot();
    }

    public ClaimStore claims() {
        return claims;
    }

    /** Admits a bribe into the pool (after catching up, so the anchor is judged against the real tip). */
    public Admission submitBribe(Transaction tx, Optional<Script> m9WitnessScript) {
        follower.sync();
        Admission a = pool.submit(tx, m9WitnessScript);
        if (a instanceof Admission.Accepted acc) {
            log.info("bribe {} for chain {} accepted: {}", acc.txid(), acc.chain(), acc.amount().toFriendlyString());
        } else {
            log.info("bribe {} refused: {}", tx.getTxId(), a);
        }
        return a;
    }

    /** Mines {@code n} blocks one after the other. */
    public List<Mined> generate(int n) {
        if (n < 1 || n > 1000) {
            throw new IllegalArgumentException("generate: n must be 1..1000, got " + n);
        }
        List<Mined> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(mineOne());
        }
        return out;
    }

    /** Builds, solves and submits one block on the mainchain's tip. */
    public synchronized Mined mineOne() {
        return mineOne(1);
    }

    private Mined mineOne(int attempt) {
        BitcoinjContext.ensure();
        follower.syncToTip();
        BlockTemplate template = main.blockTemplate();
        if (!template.prevBlockHash().equals(follower.tip().hash())) {
            follower.syncToTip(); // the node moved between the two calls
            template = main.blockTemplate();
            if (!template.prevBlockHash().equals(follower.tip().hash())) {
                throw new IllegalStateException("the mainchain's template builds on " + template.prevBlockHash()
                        + " but the enforcing chain's tip is " + follower.tip()
                        + " (the node's best block is BMM-invalid: run with --enforce to have it invalidated;"
                        + " or the node keeps moving)");
            }
        }
        BribePool.Snapshot admitted = pool.snapshotWithTip();
        // the follower may have moved the pool to another tip meanwhile: then its bribes are not for this block
        boolean forThisBlock = admitted.tip().hash().equals(template.prevBlockHash());
        List<PooledBribe> bribes = forThisBlock ? admitted.bribes() : List.of();
        // highest bribe first (ties: first received): where two spend one coin the assembler keeps the first,
        // and over bitcoind's limits it leaves out the last ones
        List<Transaction> winners = forThisBlock ? admitted.winners() : List.of();
        Optional<Transaction> sweep = sweep();
        BlockAssembler.Options opts = BlockAssembler.Options.NONE
                .withExtraTransactions(sweep.map(List::of).orElse(List.of()))
                .withExtraNonce(java.nio.ByteBuffer.allocate(8).putLong(extraNonce++).array());
        Assembly assembly = assemble(assembler, template, winners, chain.prevouts(), opts);
        AssembledBlock ab = assembly.block();
        if (!assembly.withExtras()) {
            sweep = Optional.empty();
        }
        Map<Sha256Hash, PooledBribe> byTxid = new HashMap<>();
        bribes.forEach(b -> byTxid.put(b.txid(), b));
        List<PooledBribe> included = ab.includedM8s().stream().map(byTxid::get).filter(Objects::nonNull).toList();
        try {
            List<ClaimStore.Claim> add = new ArrayList<>();
            for (PooledBribe b : included) {
                for (PooledBribe.Payout p : b.payouts()) {
                    add.add(new ClaimStore.Claim(p.outpoint(), p.value(), p.witnessScript(), b.chain()));
                }
            }
            claims.addAll(add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the bribes' claims in " + claims + "; not mining", e);
        }
        if (!follower.tip().hash().equals(template.prevBlockHash())) {
            // the chain moved while the block was built (the sweep was judged against the old D3): start over
            log.info("the mainchain moved from {} while block {} was built; building again", template.prevBlockHash(),
                    ab.height());
            if (attempt >= 5) {
                throw new IllegalStateException("the mainchain kept moving while blocks were built on it; try again");
            }
            return mineOne(attempt + 1);
        }
        Optional<String> rejected = main.submitBlock(ab.block());
        int swept = sweep.map(t -> t.getInputs().size()).orElse(0);
        Mined m = new Mined(ab.height(), ab.block().getHash(), ab.m7Entries(), included, ab.stripped(), swept,
                ab.coinbaseValue(), rejected);
        logMined(m);
        follower.syncToTip();
        return m;
    }

    /** One transaction spending every claim whose OP_CBV the tip's D3 satisfies and that is unspent. */
    /** A block, and whether the extra transactions (the sweep) are in it. */
    record Assembly(AssembledBlock block, boolean withExtras) {
    }

    /**
     * The block with the extras if they fit beside the template, else without them: a full
     * template leaves bitcoind's 4,000 weight units of coinbase room, which a sweep of a few claims
     * exceeds; the claims are swept in a later block.
     */
    static Assembly assemble(BlockAssembler assembler, BlockTemplate template, List<Transaction> winners,
                             PrevoutSource prevouts, BlockAssembler.Options opts) {
        try {
            return new Assembly(assembler.assemble(template, winners, prevouts, opts), true);
        } catch (IllegalArgumentException e) {
            if (opts.extraTransactions().isEmpty()) {
                throw e;
            }
            log.warn("the block at height {} goes without the sweep: {}", template.height(), e.getMessage());
            return new Assembly(assembler.assemble(template, winners, prevouts, opts.withExtraTransactions(List.of())),
                    false);
        }
    }

    private Optional<Transaction> sweep() {
        int minAtop = chain.config().params().minBlocksAtop();
        List<M9Spender.Claim> ready = new ArrayList<>();
        for (ClaimStore.Claim c : claims.all()) {
            if (chain.prevouts().find(c.outpoint()).isEmpty()) {
                continue; // swept already, or its block is not (or no longer) on the chain
            }
            Optional<M9Scripts.M9Script> m9 = M9Scripts.parse(c.witnessScript());
            if (m9.isPresent() && CbvRule.satisfied(m9.get().payload(), chain.d3(), minAtop)) {
                ready.add(M9Spender.Claim.miner(c.outpoint(), c.value(), c.witnessScript(), key));
                if (ready.size() == MAX_SWEEP_CLAIMS) {
                    break; // the rest go in the next blocks: one sweep stays small beside a full template
                }
            }
        }
        if (ready.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(M9Spender.sweep(ready, payout, SWEEP_FEE));
    }

    private static void logMined(Mined m) {
        String m7 = m.m7().stream()
                .map(e -> "chain " + e.chain() + " h*=" + e.hStar() + " ref " + e.prevBlockRef())
                .collect(Collectors.joining("; "));
        Coin bribes = m.bribes().stream().map(PooledBribe::amount).reduce(Coin.ZERO, Coin::add);
        if (m.accepted()) {
            log.info("block {} {}: M7 [{}], {} M8 bribe(s) worth {}, {} stripped {}, {} claim(s) swept, coinbase {}",
                    m.height(), m.hash(), m7, m.bribes().size(), bribes.toFriendlyString(), m.stripped().size(),
                    m.stripped().stream().map(s -> s.txid() + " " + s.reason()).toList(), m.swept(),
                    m.coinbaseValue().toFriendlyString());
        } else {
            log.warn("block {} {} refused by the mainchain: {}", m.height(), m.hash(), m.rejected().get());
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
