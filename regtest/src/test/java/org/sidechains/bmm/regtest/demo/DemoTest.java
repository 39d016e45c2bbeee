package org.sidechains.bmm.regtest.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.d3.D3Entry;
import org.sidechains.bmm.d3.D3Row;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;
import org.sidechains.bmm.regtest.mainchain.OpenMainchain;

/** The README's demo, on the embedded chain. */
class DemoTest {
    @Test
    void bmmBlocksWithBribesAndTheirD3() throws Exception {
        StringWriter text = new StringWriter();
        EmbeddedRegtestChain chain = EmbeddedRegtestChain.create();
        Demo.Outcome o;
        try (OpenMainchain open = OpenMainchain.of(chain, Optional.empty(), "embedded (test)")) {
            o = new Demo(new PrintWriter(text)).run(open, new Demo.Plan(List.of(1, 2), 4, Coin.valueOf(10_000)));
        }
        // 2 funding blocks + 100 to mature them, then the 4 BMM blocks
        assertEquals(106, o.tipHeight());
        assertEquals(8, o.bribesIncluded(), text.toString());
        assertEquals(1, o.bribesRefused(), "the lower competing bribe");
        List<D3Row> rows = o.d3().rows().stream().filter(r -> !r.entries().isEmpty()).toList();
        assertEquals(4, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(103 + i, rows.get(i).height());
            for (D3Entry e : rows.get(i).entries()) {
                assertEquals(3 - i, e.blocksAtop(), "each side:block is built on by the later ones");
                assertEquals(i > 0, e.prevSideBlockHash().isPresent());
            }
        }
        String s = text.toString();
        assertTrue(s.contains("D3 (4 rows with entries"), s);
        assertTrue(s.contains("bribe-lower-than-best"), s);
        assertTrue(s.contains("done: tip 106, 4 BMM blocks, 8 bribes included, 1 refused"), s);
    }

    @Test
    void aPlanNoCoinbaseCanPayIsAUsageErrorAndAChainThatPaysTooLittleAClearOne() throws Exception {
        IllegalArgumentException tooMuch = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Demo.Plan(List.of(1), 30, Coin.valueOf(200_000_000)));
        assertTrue(tooMuch.getMessage().contains("6000043500 sat, more than the 5000000000 sat"), tooMuch.getMessage());
        assertThrows(() -> new Demo.Plan(List.of(1), 1000, Coin.valueOf(Long.MAX_VALUE)));

        // past eight halvings a coinbase holds 19,531,250 sat: the second bribe of 10,000,000 cannot be paid
        EmbeddedRegtestChain chain = EmbeddedRegtestChain.create();
        chain.generateToAddress(1200, new org.bitcoinj.crypto.ECKey()
                .toAddress(org.bitcoinj.base.ScriptType.P2WPKH, org.bitcoinj.base.BitcoinNetwork.REGTEST).toString());
        StringWriter text = new StringWriter();
        try (OpenMainchain open = OpenMainchain.of(chain, Optional.empty(), "embedded (test)")) {
            Demo.Unfunded u = org.junit.jupiter.api.Assertions.assertThrows(Demo.Unfunded.class, () ->
                    new Demo(new PrintWriter(text)).run(open, new Demo.Plan(List.of(1), 3, Coin.valueOf(10_000_000))));
            assertTrue(u.getMessage().contains("lower --bribe or --blocks") && u.getMessage().contains("insufficient funds"),
                    u.getMessage());
        }
    }

    private static void assertThrows(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e);
    }
}
