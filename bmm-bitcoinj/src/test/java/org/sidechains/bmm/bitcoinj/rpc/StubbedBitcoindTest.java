package org.sidechains.bmm.bitcoinj.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh WireMock bitcoind (stubs from the fixtures) and a client per test; every stub must be used. */
abstract class StubbedBitcoindTest {
    StubbedBitcoind bitcoind;
    RpcMainchain main;

    @BeforeEach
    void startStubs() {
        bitcoind = new StubbedBitcoind();
        main = bitcoind.mainchain();
    }

    @AfterEach
    void stopStubs() {
        main.close();
        bitcoind.assertNoUnmatched();
        bitcoind.close();
    }
}
