package org.sidechains.bmm.regtest.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.internal.ByteUtils;
import org.bitcoinj.crypto.ECKey;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.rpc.BitcoindRpc;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.bitcoinj.rpc.RpcConfig;
import org.sidechains.bmm.d3.D3Entry;
import org.sidechains.bmm.d3.D3Row;
import org.sidechains.bmm.d3.D3View;
import org.sidechains.bmm.regtest.mainchain.OpenMainchain;
import org.sidechains.bmm.regtest.miner.MinerDaemon;

/**
 * The first demo: a miner daemon on a mainchain, an in-process sender that bribes it for a few
 * sidechain slots over JSON-RPC (as sidechain nodes would), a few dozen BMM blocks, and the D3
 * table they leave. Everything it prints comes from the running parts.
 */
public final class Demo {
    /** @param chains the sidechain slots to BMM; @param blocks how many BMM blocks to mine */
    public record Plan(List<Integer> chains, int blocks, Coin bribe) {
        public Plan {
            chains = List.copyOf(chains);
            if (chains.isEmpty()) {
                throw new IllegalArgumentException("at least one sidechain slot");
            }
            if (blocks < 1 || blocks > 1000) {
                throw new IllegalArgumentException("blocks must be 1..1000, got " + blocks);
            }
            Objects.requireNonNull(bribe, "bribe");
            if (!bribe.isPositive()) {
                throw new IllegalArgumentException("the bribe must be positive, got " + bribe.value + " sat");
            }
            // each slot pays its bribes, growing by 100 sat a block, from one regtest coinbase
            long total;
            try {
                total = Math.addExact(Math.multiplyExact(bribe.value, (long) blocks), 100L * blocks * (blocks - 1) / 2);
            } catch (ArithmeticException e) {
                total = Long.MAX_VALUE;
            }
            if (total > MAX_FUNDING.value) {
                throw new IllegalArgumentException("a slot's bribes for " + blocks + " blocks would add up to "
                        + (total == Long.MAX_VALUE ? "more than a long can count" : total + " sat") + ", more than the "
                        + MAX_FUNDING.value + " sat of the regtest coinbase that pays them: lower --bribe or --blocks");
            }
        }
    }

    /** The most a slot's funding coinbase can hold (regtest's first subsidy; it halves every 150 blocks). */
    public static final Coin MAX_FUNDING = Coin.FIFTY_COINS;

    /** The sender's coins cannot pay the next bribes (a chain whose subsidy has halved, or fees on top). */
    public static final class Unfunded extends RuntimeException {
        Unfunded(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What the run left, for the caller (and tests) to check. */
    public record Outcome(int tipHeight, int bmmBlocks, int bribesIncluded, int bribesRefused, D3View d3) {
    }

    private final PrintWriter out;

    public Demo(PrintWriter out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    public Outcome run(OpenMainchain mainchain, Plan plan) throws IOException {
        Path dir = Files.createTempDirectory("bmm-demo-miner");
        String password = java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(16));
        try (MinerDaemon daemon = MinerDaemon.start(mainchain.mainchain(), dir, 0,
                RpcAuth.userPassword("demo", password), null);
             BitcoindRpc minerRpc = BitcoindRpc.create(RpcConfig.of(daemon.url(),
                     RpcAuth.userPassword("demo", password)))) {
            say("mainchain: %s", mainchain.description());
            JsonNode info = minerRpc.call("getminerinfo");
            say("miner:     JSON-RPC at %s, payout %s", daemon.url(), info.get("payoutAddress").asText());
            ECKey minerKey = ECKey.fromPublicOnly(ByteUtils.parseHex(info.get("payoutPubKey").asText()));

            BribeSender sender = new BribeSender(mainchain.mainchain(), plan.chains());
            sender.fund();
            say("sender:    %d coinbases to %s, matured by 100 more blocks (generatetoaddress)",
                    plan.chains().size(), sender.address());

            int included = 0;
            int refused = 0;
            for (int i = 0; i < plan.blocks(); i++) {
                int height = minerRpc.call("getminerinfo").get("tip").get("height").asInt() + 1;
                // a little auction: the bribe grows with the round so the amounts differ per block
                Coin amount = plan.bribe().add(Coin.valueOf(100L * i));
                List<Bribe> bribes;
                try {
                    bribes = sender.bribesFor(height, minerKey, amount);
                } catch (IllegalArgumentException e) {
                    throw new Unfunded("the sender cannot pay the bribes of " + amount.value + " sat for block " + height
                            + " (" + e.getMessage() + "): lower --bribe or --blocks", e);
                }
                for (Bribe b : bribes) {
                    try {
                        minerRpc.call("submitbribe", ByteUtils.formatHex(b.tx().serialize()));
                    } catch (MainchainException.Rpc e) {
                        refused++;
                        say("  bribe for chain %d refused: %s", b.tag().chain(), e.rpcMessage());
                    }
                }
                if (i == 1) {
                    // a competing, lower bribe for the first slot: the pool keeps the best one
                    Bribe low = sender.lowerCompetitor(plan.chains().get(0), height, minerKey, amount);
                    try {
                        minerRpc.call("submitbribe", ByteUtils.formatHex(low.tx().serialize()));
                    } catch (MainchainException.Rpc e) {
                        refused++;
                        say("  competing bribe for chain %d refused as it should be: %s", low.tag().chain(),
                                e.rpcMessage());
                    }
                }
                JsonNode mined = minerRpc.call("generate", 1).get(0);
                included += mined.get("bribes").size();
                say("block %d %s: M7 for chains %s, %d bribe(s) %s sat, %d stripped, %d swept%s",
                        mined.get("height").asInt(), mined.get("hash").asText(), chains(mined.get("m7")),
                        mined.get("bribes").size(), amounts(mined.get("bribes")), mined.get("stripped").size(),
                        mined.get("swept").asInt(),
                        mined.get("accepted").asBoolean() ? "" : " REFUSED: " + mined.get("rejected").asText());
            }
            D3View d3 = daemon.miner().chain().d3();
            printD3(d3);
            int tip = daemon.miner().tip().height();
            say("done: tip %d, %d BMM blocks, %d bribes included, %d refused", tip, plan.blocks(), included, refused);
            return new Outcome(tip, plan.blocks(), included, refused, d3);
        } finally {
            deleteTree(dir);
        }
    }

    private void printD3(D3View d3) {
        List<D3Row> rows = d3.rows().stream().filter(r -> !r.entries().isEmpty()).toList();
        say("D3 (%d rows with entries; hashes shortened):", rows.size());
        say("  %6s  %5s  %-16s  %4s  %-16s  %s", "height", "chain", "h*", "ref", "prevSideBlock", "blocksAtop");
        for (D3Row r : rows) {
            for (D3Entry e : r.entries()) {
                say("  %6d  %5d  %-16s  %4d  %-16s  %d", r.height(), e.chain(), shortHex(e.hStar().toDisplayHex()),
                        e.prevBlockRef(), e.prevSideBlockHash().map(h -> shortHex(h.toDisplayHex())).orElse("-"),
                        e.blocksAtop());
            }
        }
    }

    private static String shortHex(String hex) {
        return hex.substring(0, 16);
    }

    private static String chains(JsonNode m7) {
        StringBuilder s = new StringBuilder("[");
        for (JsonNode e : m7) {
            s.append(s.length() > 1 ? "," : "").append(e.get("chain").asInt());
        }
        return s.append(']').toString();
    }

    private static String amounts(JsonNode bribes) {
        StringBuilder s = new StringBuilder();
        for (JsonNode b : bribes) {
            s.append(s.length() > 0 ? "+" : "").append(b.get("amount").asLong());
        }
        return s.length() == 0 ? "0" : s.toString();
    }

    private void say(String format, Object... args) {
        out.println(String.format(java.util.Locale.ROOT, format, args));
        out.flush();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
