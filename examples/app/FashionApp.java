import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import tamp.example.Lenet5NoRetraining;

/**
 * A tiny application of the Java tamp generates (docs/tutorial.md): loads the compressed LeNet-5 with its weights
 * file, classifies Fashion-MNIST test images read from the IDX files, and prints the accuracy and the time per image.
 * Plain Java 8, no dependencies: what an Android app or any JVM would do with the two generated files.
 */
public final class FashionApp {
    private static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot"};

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: FashionApp WEIGHTS IMAGES.gz LABELS.gz [COUNT]");
            System.exit(2);
        }
        Lenet5NoRetraining model = Lenet5NoRetraining.load(new File(args[0]));
        byte[][] images = readImages(new File(args[1]));
        byte[] labels = readLabels(new File(args[2]));
        int count = Math.min(images.length, args.length > 3 ? Integer.parseInt(args[3]) : images.length);

        float[] input = new float[Lenet5NoRetraining.INPUT_SIZE];
        int correct = 0;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < input.length; p++) {
                input[p] = (images[i][p] & 0xff) / 255f; // the preprocessing the model was trained with
            }
            int predicted = model.classify(input);
            if (predicted == labels[i]) {
                correct++;
            }
            if (i < 3) {
                System.out.println("image " + i + ": " + CLASSES[predicted] + " (label: " + CLASSES[labels[i]] + ")");
            }
        }
        double micros = (System.nanoTime() - start) / 1e3 / count;
        System.out.println(String.format(Locale.ROOT, "classified %d images: accuracy %.2f %%, %.0f us per image "
                + "(first call included)", count, 100.0 * correct / count, micros));
    }

    private static DataInputStream open(File file) throws IOException {
        return new DataInputStream(new BufferedInputStream(new GZIPInputStream(new FileInputStream(file))));
    }

    private static byte[][] readImages(File file) throws IOException {
        try (DataInputStream in = open(file)) {
            if (in.readInt() != 0x803) {
                throw new IOException(file + " is not an IDX image file");
            }
            int n = in.readInt();
            int size = in.readInt() * in.readInt();
            byte[][] images = new byte[n][size];
            for (byte[] image : images) {
                in.readFully(image);
            }
            return images;
        }
    }

    private static byte[] readLabels(File file) throws IOException {
        try (DataInputStream in = open(file)) {
            if (in.readInt() != 0x801) {
                throw new IOException(file + " is not an IDX label file");
            }
            byte[] labels = new byte[in.readInt()];
            in.readFully(labels);
            return labels;
        }
    }
}
