package dev.tamp.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.tamp.codegen.container.WeightsFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.util.zip.CRC32;
import javax.lang.model.element.Modifier;

/**
 * The Java 8 reader of the weights container ({@code docs/format.md}) that goes into every generated model, as a
 * private nested class: only what dense float32 weights need, checking the header, the section table, every CRC-32
 * and that each section is the weight the model expects (identifier, shape), and refusing anything else with an
 * {@link IOException} that says what is wrong and where. The code is the same for every model.
 */
final class WeightsReaderEmitter {
    static final String CLASS_NAME = "WeightsReader";

    private static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
    private static final TypeName BYTES = ArrayTypeName.of(TypeName.BYTE);

    private WeightsReaderEmitter() {}

    static TypeSpec reader() {
        return TypeSpec.classBuilder(CLASS_NAME)
                .addJavadoc("Reads and checks a tamp weights container, format version 1, and decodes its compressed payloads.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
                .addMethod(readAll())
                .addMethod(parse())
                .addMethod(section())
                .addMethod(crc())
                .addMethod(CompressedReaders.bits())
                .addMethod(CompressedReaders.floats())
                .addMethod(CompressedReaders.sparse())
                .addMethod(CompressedReaders.sparseCodebook())
                .addMethod(CompressedReaders.codebook())
                .addMethod(CompressedReaders.affine())
                .addMethod(CompressedReaders.csr())
                .addMethod(CompressedReaders.factored())
                .addMethod(CompressedReaders.packedWords())
                .addMethod(CompressedReaders.circulant())
                .addMethod(CompressedReaders.blockCirculant())
                .addMethod(CompressedReaders.hashed())
                .addMethod(CompressedReaders.huffmanTable())
                .addMethod(CompressedReaders.huffmanStream())
                .addMethod(CompressedReaders.huffman())
                .addMethod(u16())
                .addMethod(u32())
                .addMethod(u64())
                .addMethod(align4())
                .addMethod(corrupt())
                .build();
    }

    private static MethodSpec readAll() {
        return MethodSpec.methodBuilder("readAll")
                .addJavadoc("Every byte of the stream, refusing more than a container can hold.\n")
                .addModifiers(Modifier.STATIC)
                .returns(BYTES)
                .addParameter(InputStream.class, "in")
                .addException(IOException.class)
                .addStatement("$T out = new $T()", ByteArrayOutputStream.class, ByteArrayOutputStream.class)
                .addStatement("byte[] buffer = new byte[65536]")
                .addStatement("int r")
                .beginControlFlow("while ((r = in.read(buffer)) != -1)")
                .addStatement("out.write(buffer, 0, r)")
                .beginControlFlow("if (out.size() > $L)", Integer.MAX_VALUE - 16)
                .addStatement("throw corrupt($S)", "longer than any weights container can be")
                .endControlFlow()
                .endControlFlow()
                .addStatement("return out.toByteArray()")
                .build();
    }

    private static MethodSpec parse() {
        int header = WeightsFile.HEADER_BYTES;
        int entry = WeightsFile.TABLE_ENTRY_BYTES;
        int crcBytes = WeightsFile.CRC_BYTES;
        return MethodSpec.methodBuilder("parse")
                .addJavadoc("The weights of {@code file} (expected kinds as kind | variant << 8), one per expected section, in order: the float32 elements "
                        + "of a dense section, the payload bytes (still to decode) of any other kind.\n")
                .addModifiers(Modifier.STATIC)
                .returns(Object[].class)
                .addParameter(BYTES, "f")
                .addParameter(String[].class, "ids")
                .addParameter(int[].class, "kinds")
                .addParameter(int[][].class, "dims")
                .addException(IOException.class)
                .addStatement("long length = f.length")
                .beginControlFlow("if (length < $L)", header + crcBytes)
                .addStatement("throw corrupt($S + length + $S)", "truncated: ", " bytes, a container has at least "
                        + (header + crcBytes))
                .endControlFlow()
                .addStatement("byte[] magic = {(byte) 0x89, 'T', 'A', 'M', 'P', 'W', '\\r', '\\n'}")
                .beginControlFlow("for (int i = 0; i < magic.length; i++)")
                .beginControlFlow("if (f[i] != magic[i])")
                .addStatement("throw corrupt($S)", "not a tamp weights container (bad magic bytes)")
                .endControlFlow()
                .endControlFlow()
                .addStatement("long version = u32(f, 8)")
                .beginControlFlow("if (version != $L)", WeightsFile.VERSION)
                .addStatement("throw corrupt($S + version + $S)", "format version ", ", this code reads version "
                        + WeightsFile.VERSION)
                .endControlFlow()
                .addStatement("long count = u32(f, 12)")
                .addStatement("long total = u64(f, 16)")
                .beginControlFlow("if (total != length)")
                .addStatement("throw corrupt((total > length ? $S : $S) + $S + total + $S + length + $S)",
                        "truncated: ", "trailing bytes: ", "the header says ", " bytes, the file has ", "")
                .endControlFlow()
                .addStatement("long tableEnd = $L + $L * count", header, entry)
                .beginControlFlow("if (tableEnd + $L > length)", crcBytes)
                .addStatement("throw corrupt($S + count + $S)", "the section table (", " sections) does not fit the file")
                .endControlFlow()
                .addStatement("$T crc = new $T()", CRC32.class, CRC32.class)
                .addStatement("crc.update(f, 0, 28)")
                .addStatement("crc.update(f, $L, (int) (tableEnd - $L))", header, header)
                .beginControlFlow("if (crc.getValue() != u32(f, 28))")
                .addStatement("throw corrupt($S)", "header checksum mismatch (the header or section table is corrupted)")
                .endControlFlow()
                .beginControlFlow("if (u32(f, 24) != 0)")
                .addStatement("throw corrupt($S)", "unknown flags in the header")
                .endControlFlow()
                .beginControlFlow("if (count != ids.length)")
                .addStatement("throw corrupt($S + count + $S + ids.length + $S)", "holds ", " weights, this model has ",
                        " (a container written for another model?)")
                .endControlFlow()
                .addStatement("Object[] weights = new Object[ids.length]")
                .addStatement("long next = tableEnd")
                .beginControlFlow("for (int i = 0; i < ids.length; i++)")
                .addStatement("long offset = u64(f, $L + $L * i)", header, entry)
                .addStatement("long size = u64(f, $L + $L * i + 8)", header, entry)
                .beginControlFlow("if (offset != next || size % 4 != 0 || size < $L || size > length - $L - offset)",
                        WeightsFile.SECTION_HEADER_BYTES + crcBytes, crcBytes)
                .addStatement("throw corrupt($S + i + $S + offset + $S + size)", "section ", ": bad table entry, offset ",
                        " length ")
                .endControlFlow()
                .addStatement("weights[i] = section(f, i, (int) offset, (int) size, ids[i], kinds[i], dims[i])")
                .addStatement("next = offset + size")
                .endControlFlow()
                .beginControlFlow("if (next != length - $L)", crcBytes)
                .addStatement("throw corrupt($S + next)", "unexpected bytes after the last section, at offset ")
                .endControlFlow()
                .beginControlFlow("if (crc(f, 0, (int) length - $L) != u32(f, (int) length - $L))", crcBytes, crcBytes)
                .addStatement("throw corrupt($S)", "file checksum mismatch")
                .endControlFlow()
                .addStatement("return weights")
                .build();
    }

    private static MethodSpec section() {
        int head = WeightsFile.SECTION_HEADER_BYTES;
        return MethodSpec.methodBuilder("section")
                .addJavadoc("Section {@code i} after checking it is the expected weight: float32 elements if dense, "
                        + "else a copy of its payload.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(Object.class)
                .addParameter(BYTES, "f")
                .addParameter(int.class, "i")
                .addParameter(int.class, "offset")
                .addParameter(int.class, "size")
                .addParameter(String.class, "id")
                .addParameter(int.class, "expectedKind")
                .addParameter(int[].class, "dims")
                .addException(IOException.class)
                .addStatement("String where = $S + i + $S + id + $S", "section ", " (", ")")
                .addStatement("int end = offset + size - 4")
                .beginControlFlow("if (crc(f, offset, size - 4) != u32(f, end))")
                .addStatement("throw corrupt(where + $S)", ": checksum mismatch")
                .endControlFlow()
                .addStatement("int kind = u16(f, offset)")
                .addStatement("int variant = f[offset + 3] & 0xff")
                .beginControlFlow("if ((kind | variant << 8) != expectedKind || f[offset + 2] != 1)")
                .addStatement("throw corrupt(where + $S + kind + $S + variant + $S + (expectedKind & 0xff) + $S "
                        + "+ (expectedKind >> 8) + $S)", ": representation kind ", " variant ",
                        ", this code was generated for kind ", " variant ",
                        " float32 (regenerate the code for this container)")
                .endControlFlow()
                .addStatement("int rank = f[offset + 4] & 0xff")
                .addStatement("int idLength = u16(f, offset + 6)")
                .addStatement("long nameLength = u32(f, offset + 8)")
                .addStatement("long payload = u32(f, offset + 12)")
                .beginControlFlow("if (rank != dims.length || f[offset + 5] != 0)")
                .addStatement("throw corrupt(where + $S + rank + $S + dims.length)", ": rank ", ", expected ")
                .endControlFlow()
                .addStatement("long elements = 1")
                .beginControlFlow("for (int d = 0; d < rank; d++)")
                .addStatement("long dim = u32(f, offset + $L + 4 * d)", head)
                .beginControlFlow("if (dim != dims[d])")
                .addStatement("throw corrupt(where + $S + d + $S + dim + $S + dims[d])", ": dimension ", " is ",
                        ", expected ")
                .endControlFlow()
                .addStatement("elements *= dim")
                .endControlFlow()
                .addStatement("long headLength = $L + 4L * rank + idLength + nameLength", head)
                .beginControlFlow("if ((kind == $L && payload != 4 * elements) || offset + align4(headLength) "
                        + "+ align4(payload) != end)", WeightsFile.Kind.DENSE.code)
                .addStatement("throw corrupt(where + $S)", ": section lengths do not add up")
                .endControlFlow()
                .addStatement("int idStart = offset + $L + 4 * rank", head)
                .addStatement("String stored = new String(f, idStart, idLength, $T.forName($S))", Charset.class,
                        "US-ASCII")
                .beginControlFlow("if (!stored.equals(id))")
                .addStatement("throw corrupt(where + $S + stored + $S)", ": holds weight ",
                        " (a container written for another model?)")
                .endControlFlow()
                .beginControlFlow("if (kind != $L)", WeightsFile.Kind.DENSE.code)
                .addStatement("int at = offset + (int) align4(headLength)")
                .addStatement("return $T.copyOfRange(f, at, at + (int) payload)", java.util.Arrays.class)
                .endControlFlow()
                .addStatement("float[] w = new float[(int) elements]")
                .addStatement("$T.wrap(f, offset + (int) align4(headLength), (int) payload).order($T.LITTLE_ENDIAN)"
                        + ".asFloatBuffer().get(w)", ByteBuffer.class, ByteOrder.class)
                .addStatement("return w")
                .build();
    }

    private static MethodSpec crc() {
        return MethodSpec.methodBuilder("crc")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(long.class)
                .addParameter(BYTES, "f")
                .addParameter(int.class, "from")
                .addParameter(int.class, "length")
                .addStatement("$T crc = new $T()", CRC32.class, CRC32.class)
                .addStatement("crc.update(f, from, length)")
                .addStatement("return crc.getValue()")
                .build();
    }

    private static MethodSpec u16() {
        return MethodSpec.methodBuilder("u16")
                .addModifiers(Modifier.STATIC)
                .returns(int.class)
                .addParameter(BYTES, "f")
                .addParameter(int.class, "at")
                .addStatement("return (f[at] & 0xff) | (f[at + 1] & 0xff) << 8")
                .build();
    }

    private static MethodSpec u32() {
        return MethodSpec.methodBuilder("u32")
                .addModifiers(Modifier.STATIC)
                .returns(long.class)
                .addParameter(BYTES, "f")
                .addParameter(int.class, "at")
                .addStatement("return (f[at] & 0xffL) | (f[at + 1] & 0xffL) << 8 | (f[at + 2] & 0xffL) << 16"
                        + " | (f[at + 3] & 0xffL) << 24")
                .build();
    }

    private static MethodSpec u64() {
        return MethodSpec.methodBuilder("u64")
                .addJavadoc("An unsigned 64-bit field; values beyond {@code Long.MAX_VALUE} come back negative and are "
                        + "refused by the range checks.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(long.class)
                .addParameter(BYTES, "f")
                .addParameter(int.class, "at")
                .addStatement("return u32(f, at) | u32(f, at + 4) << 32")
                .build();
    }

    private static MethodSpec align4() {
        return MethodSpec.methodBuilder("align4")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(long.class)
                .addParameter(long.class, "x")
                .addStatement("return (x + 3) & ~3L")
                .build();
    }

    private static MethodSpec corrupt() {
        return MethodSpec.methodBuilder("corrupt")
                .addModifiers(Modifier.STATIC)
                .returns(IOException.class)
                .addParameter(String.class, "what")
                .addStatement("return new $T($S + what)", IOException.class, "corrupt weights container: ")
                .build();
    }

    static ClassName className(ClassName model) {
        return model.nestedClass(CLASS_NAME);
    }
}
