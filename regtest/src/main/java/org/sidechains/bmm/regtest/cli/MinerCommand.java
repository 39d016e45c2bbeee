package org.sidechains.bmm.regtest.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.regtest.bitcoind.BitcoindException;
import org.sidechains.bmm.regtest.mainchain.OpenMainchain;
import org.sidechains.bmm.regtest.miner.DatadirLock;
import org.sidechains.bmm.regtest.miner.MinerDaemon;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code miner ...}: the BMM miner daemon. */
@Command(name = "miner", mixinStandardHelpOptions = true,
        description = {"Runs the BMM miner daemon (JSON-RPC on 127.0.0.1) until Ctrl-C.",
            "",
            "Follows the mainchain with the BMM-enforcing chain, takes bribes (M8) into its pool over JSON-RPC"
                + " on 127.0.0.1, and mines blocks with an M7 for the best bribe per sidechain, on demand (generate)"
                + " and optionally every --interval. Methods: getminerinfo, submitbribe HEX [WITNESSSCRIPT],"
                + " getbribepool, generate [N]."})
final class MinerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    MainchainOptions mainchain;

    @Option(names = "--datadir", paramLabel = "DIR",
            description = "where the miner keeps its key and its claims to bribes (default: ~/.bmm-regtest/miner)")
    Path datadir;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "18550",
            description = "the miner's JSON-RPC port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = a free one)")
    int port;

    @Option(names = "--user", paramLabel = "USER", description = "JSON-RPC user for the miner (with --password)")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD",
            description = "JSON-RPC password for the miner; without --user/--password a cookie file DATADIR/.cookie is written")
    String password;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "0",
            description = "also mine a block every SECONDS (default: 0 = only on generate)")
    long intervalSeconds;

    @Option(names = "--enforce",
            description = "invalidateblock on the mainchain node every block that breaks a BMM rule, so its best chain"
                    + " (and the templates the miner builds on) stay BMM-valid")
    boolean enforce;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if ((user == null) != (password == null)) {
            return usage(err, "--user and --password go together");
        }
        if (intervalSeconds < 0) {
            return usage(err, "--interval must be >= 0");
        }
        if (port < 0 || port > 65535) {
            return usage(err, "--port must be 0..65535 (0 = a free one), got " + port);
        }
        Path dir = datadir != null ? datadir : Path.of(System.getProperty("user.home"), ".bmm-regtest", "miner");
        RpcAuth auth = user != null ? RpcAuth.userPassword(user, password) : RpcAuth.cookie(dir.resolve(".cookie"));
        // the data directory first: a directory in use is refused before a bitcoind is started for nothing
        DatadirLock lock;
        try {
            lock = DatadirLock.acquire(dir);
        } catch (IOException e) {
            return failure(err, Failures.describe(e));
        }
        OpenMainchain open;
        try {
            open = mainchain.open();
        } catch (RpcOptions.UsageException e) {
            lock.release();
            return usage(err, e.getMessage());
        } catch (BitcoindException | MainchainException | UncheckedIOException e) {
            lock.release();
            return failure(err, Failures.describe(e) + MainchainOptions.bindHint(e));
        } catch (RuntimeException | Error e) {
            lock.release(); // until the daemon owns it
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        MinerDaemon daemon;
        try {
            daemon = MinerDaemon.start(open.mainchain(), lock, port, auth,
                    intervalSeconds == 0 ? null : Duration.ofSeconds(intervalSeconds), enforce);
        } catch (IOException | UncheckedIOException | MainchainException | IllegalStateException e) {
            open.close();
            return failure(err, Failures.describe(e) + (Failures.isBind(e)
                    ? " (is another miner using this port? give another --port, or 0 for a free one)" : ""));
        }
        try (open; daemon) {
            out.println("miner: mainchain " + open.description());
            out.println("miner: JSON-RPC at " + daemon.url() + (user != null ? " (user " + user + ")"
                    : " (cookie " + dir.resolve(".cookie") + ")"));
            out.println("miner: payout " + daemon.miner().payoutAddress() + ", key and claims in " + dir);
            out.flush();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                daemon.close();
                open.close();
                stopped.countDown();
            }, "miner-shutdown"));
            stopped.await();
        }
        return 0;
    }

    private static int failure(PrintWriter err, String message) {
        err.println("bmm-regtest miner: " + message);
        err.flush();
        return 1;
    }

    private static int usage(PrintWriter err, String message) {
        err.println("bmm-regtest miner: " + message);
        err.flush();
        return 2;
    }
}
