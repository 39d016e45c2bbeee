package org.sidechains.bmm.regtest.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.bitcoinj.store.MemoryBlockStore;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.follow.MainchainFollower;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.pool.Tip;
import org.sidechains.bmm.bitcoinj.rpc.RpcMainchain;
import org.sidechains.bmm.d3.D3Row;
import org.sidechains.bmm.regtest.json.D3Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code d3 --rpc-url URL --rpc-user U --rpc-password P}: follows that bitcoind from genesis with
 * the enforcing chain and prints D3 with the blocks it refused.
 */
@Command(name = "d3", mixinStandardHelpOptions = true,
        description = {"Prints the D3 table of a running bitcoind's chain as JSON.",
            "",
            "Follows a bitcoind from genesis with the BMM-enforcing chain and prints"
                + " {\"tipHeight\", \"tipHash\", \"rows\", \"refused\"} as JSON: rows in the vectors' shape (rows"
                + " with entries only), refused = [{\"height\", \"hash\", \"reason\"}] for blocks it would not"
                + " connect (D3 stops at the last valid block of that branch; with --enforce bitcoind invalidates it"
                + " and D3 follows bitcoind's new best chain). Exit code 2 on a usage error, 1 when bitcoind cannot"
                + " be reached."})
final class D3DumpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RpcOptions rpc;

    @picocli.CommandLine.Option(names = "--enforce",
            description = "invalidateblock on bitcoind every block it refuses, so bitcoind's best chain stays BMM-valid")
    boolean enforce;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        RpcOptions.UsageException usage = null;
        java.util.Optional<org.sidechains.bmm.bitcoinj.rpc.RpcConfig> config = java.util.Optional.empty();
        try {
            config = rpc.config();
        } catch (RpcOptions.UsageException e) {
            usage = e;
        }
        if (usage != null || config.isEmpty()) {
            err.println("bmm-regtest d3: " + (usage != null ? usage.getMessage()
                    : "--rpc-url is required (with --rpc-user/--rpc-password or --rpc-cookie)"));
            err.flush();
            return 2;
        }
        try (Mainchain main = RpcMainchain.connect(config.get())) {
            ObjectNode out = dump(main, enforce);
            PrintWriter o = spec.commandLine().getOut();
            o.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
            o.flush();
            return 0;
        } catch (MainchainException e) {
            err.println("bmm-regtest d3: " + Failures.describe(e));
            err.flush();
            return 1;
        }
    }

    /** Follows {@code main} from genesis to its tip and describes the result. */
    static ObjectNode dump(Mainchain main, boolean enforce) throws Exception {
        // verbosity-3 prevouts instead of an own output index: flat memory on any chain length
        BmmChainConfig cfg = BmmChainConfig.regtest().withoutOutputIndex();
        BmmBlockChain chain = new BmmBlockChain(main.params(), new MemoryBlockStore(main.params().getGenesisBlock()), cfg);
        try (MainchainFollower f = new MainchainFollower(main, chain,
                MainchainFollower.Options.DEFAULT.withEnforce(enforce))) {
            f.syncToTip();
            Tip tip = f.tip();
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("tipHeight", tip.height());
            out.put("tipHash", tip.hash().toString());
            List<D3Row> rows = chain.d3().rows().stream().filter(r -> !r.entries().isEmpty()).toList();
            out.set("rows", D3Json.rows(rows));
            out.set("refused", D3Json.refusals(f.refusals()));
            return out;
        }
    }
}
