package dev.tamp.ide.lsp;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;

/** Runs the language server over a pair of streams (stdin and stdout for {@code tamp lsp}) until the client leaves. */
public final class TampLsp {
    private TampLsp() {}

    /**
     * Serves one client until it sends {@code exit} or closes the input. Returns 0 when the client shut the server
     * down first, 1 otherwise, as the protocol asks of the process's exit code.
     */
    public static int serve(InputStream in, OutputStream out, LayerCatalog layers) throws InterruptedException {
        TampLanguageServer server = new TampLanguageServer(layers);
        Launcher<LanguageClient> launcher = LSPLauncher.createServerLauncher(server, in, out);
        server.connect(launcher.getRemoteProxy());
        Future<Void> listening = launcher.startListening();
        server.exited().thenRun(() -> listening.cancel(true));
        try {
            listening.get();
        } catch (CancellationException e) {
            // `exit` arrived.
        } catch (ExecutionException e) {
            // The client vanished mid-message: nothing left to serve.
        }
        return server.wasShutDown() ? 0 : 1;
    }
}
