package org.sidechains.bmm.regtest.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.bitcoinj.base.Coin;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.regtest.bitcoind.BitcoindException;
import org.sidechains.bmm.regtest.demo.Demo;
import org.sidechains.bmm.regtest.mainchain.OpenMainchain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code demo}: the README's first run. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Mines BMM blocks with bribes for a few sidechain slots and prints D3.",
            "",
            "Runs the BMM miner on the embedded regtest chain (or --bitcoind PATH, or --rpc-url), bribes it for a"
                + " few sidechain slots from an in-process sender over JSON-RPC, mines --blocks BMM blocks and"
                + " prints every block and the resulting D3 table."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    MainchainOptions mainchain;

    @Option(names = "--blocks", paramLabel = "N", defaultValue = "30", description = "BMM blocks to mine (default: ${DEFAULT-VALUE})")
    int blocks;

    @Option(names = "--chains", paramLabel = "LIST", split = ",", defaultValue = "1,2,3",
            description = "sidechain slots (ChainIndex 0..255) to BMM (default: ${DEFAULT-VALUE})")
    List<Integer> chains;

    @Option(names = "--bribe", paramLabel = "SATS", defaultValue = "10000",
            description = "first bribe per slot, in satoshis; it grows by 100 each block (default: ${DEFAULT-VALUE})")
    long bribe;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Demo.Plan plan;
        try {
            if (bribe < 1000) {
                throw new IllegalArgumentException("--bribe must be at least 1000 satoshis");
            }
            plan = new Demo.Plan(chains, blocks, Coin.valueOf(bribe));
            for (int c : chains) {
                if (c < 0 || c > 255) {
                    throw new IllegalArgumentException("--chains: a ChainIndex is 0..255, got " + c);
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("bmm-regtest demo: " + e.getMessage());
            err.flush();
            return 2;
        }
        try (OpenMainchain open = mainchain.open()) {
            new Demo(spec.commandLine().getOut()).run(open, plan);
            return 0;
        } catch (RpcOptions.UsageException e) {
            err.println("bmm-regtest demo: " + e.getMessage());
            err.flush();
            return 2;
        } catch (BitcoindException | MainchainException | Demo.Unfunded | java.io.IOException
                 | java.io.UncheckedIOException e) {
            err.println("bmm-regtest demo: " + Failures.describe(e) + MainchainOptions.bindHint(e));
            err.flush();
            return 1;
        }
    }
}
