package dev.tamp.cli;

import dev.tamp.ide.lsp.LayerCatalog;
import dev.tamp.ide.lsp.TampLsp;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code tamp lsp}: the language server for editors, speaking the Language Server Protocol on stdin and stdout. */
@Command(name = "lsp", description = "Run the language server for editors (Language Server Protocol over stdin/stdout).")
final class LspCommand implements Callable<Integer> {

    /**
     * The layers offered after {@code prune } and shown on hover. Until the ONNX importer provides a catalog that
     * reads the recipe's model, the server knows no layers.
     */
    static LayerCatalog layerCatalog() {
        return LayerCatalog.NONE;
    }

    @Override
    public Integer call() throws InterruptedException {
        // stdout carries the protocol and nothing else; diagnostics of the server itself go to stderr.
        return TampLsp.serve(System.in, System.out, layerCatalog());
    }
}
