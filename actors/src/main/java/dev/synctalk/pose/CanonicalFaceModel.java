package dev.synctalk.pose;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * MediaPipe's canonical face mesh: the 3D positions (centimetres, y up, +z out of the face towards the
 * viewer, x towards the subject's left) of the 468 face-mesh landmarks of an average face, and the
 * landmark ids and weights MediaPipe itself uses for rigid pose (its "Procrustes landmark basis": points
 * that move little with expressions). Read from {@code geometry_pipeline_metadata_landmarks.binarypb}
 * inside the Face Landmarker {@code .task} bundle. It stands in for the BFM 3DMM of the reference, which
 * is licence-gated.
 */
public final class CanonicalFaceModel {
    public static final String METADATA_ENTRY = "geometry_pipeline_metadata_landmarks.binarypb";
    /** Vertices in the mesh; the 10 iris landmarks (468..477) of the 478-point model are not part of it. */
    public static final int VERTEX_COUNT = 468;
    private static final int FLOATS_PER_VERTEX = 5; // x, y, z, u, v

    private final double[] verticesCm;
    private final int[] basisIds;
    private final double[] basisWeights;

    private CanonicalFaceModel(double[] verticesCm, int[] basisIds, double[] basisWeights) {
        this.verticesCm = verticesCm;
        this.basisIds = basisIds;
        this.basisWeights = basisWeights;
    }

    /** Reads the model from a Face Landmarker bundle (a zip); the error names the file when it is absent. */
    public static CanonicalFaceModel load(Path taskFile) throws IOException {
        if (!Files.isRegularFile(taskFile)) {
            throw new NoSuchFileException(taskFile.toAbsolutePath().toString(), null,
                    "the head-pose stage needs the MediaPipe Face Landmarker bundle (face_landmarker.task) for its "
                            + "canonical 3D face model");
        }
        // ZipFile reads the central directory; MediaPipe bundles are not readable as a stream of local headers.
        try (ZipFile zip = new ZipFile(taskFile.toFile())) {
            ZipEntry entry = zip.getEntry(METADATA_ENTRY);
            if (entry != null) {
                try (InputStream in = zip.getInputStream(entry)) {
                    return parse(in.readAllBytes(), taskFile + "!" + METADATA_ENTRY);
                }
            }
        } catch (ZipException e) {
            throw new IOException(taskFile.toAbsolutePath() + " is not a zip (MediaPipe .task bundle): " + e.getMessage(), e);
        }
        throw new IOException(taskFile.toAbsolutePath() + " has no entry " + METADATA_ENTRY
                + ": not a MediaPipe Face Landmarker bundle");
    }

    /**
     * Parses {@code GeometryPipelineMetadata}: field 1 canonical_mesh (Mesh3d: 3 vertex_buffer as x,y,z,u,v
     * floats), field 2 procrustes_landmark_basis (1 landmark_id, 2 weight).
     */
    static CanonicalFaceModel parse(byte[] bytes, String source) {
        List<ProtoWire.Field> top = ProtoWire.fields(bytes, 0, bytes.length, source);
        float[] vertexBuffer = null;
        int basisCount = 0;
        int[] ids = new int[top.size()];
        double[] weights = new double[top.size()];
        for (ProtoWire.Field f : top) {
            if (f.number() == 1 && f.wireType() == ProtoWire.LENGTH_DELIMITED) {
                List<ProtoWire.Field> mesh = ProtoWire.fields(bytes, f.offset(), f.length(), source + " canonical_mesh");
                vertexBuffer = ProtoWire.repeatedFloats(bytes, mesh, 3);
            } else if (f.number() == 2 && f.wireType() == ProtoWire.LENGTH_DELIMITED) {
                int id = -1;
                double weight = Double.NaN;
                for (ProtoWire.Field g : ProtoWire.fields(bytes, f.offset(), f.length(), source + " landmark basis")) {
                    if (g.number() == 1 && g.wireType() == ProtoWire.VARINT) {
                        id = (int) g.varint();
                    } else if (g.number() == 2 && g.wireType() == ProtoWire.FIXED32) {
                        weight = ProtoWire.fixed32Float(bytes, g.offset());
                    }
                }
                if (id < 0 || id >= VERTEX_COUNT || !(weight > 0)) {
                    throw new IllegalArgumentException(source + ": bad Procrustes basis entry (id " + id + ", weight "
                            + weight + ")");
                }
                ids[basisCount] = id;
                weights[basisCount++] = weight;
            }
        }
        if (vertexBuffer == null) {
            throw new IllegalArgumentException(source + ": no canonical_mesh (field 1) found");
        }
        if (vertexBuffer.length != VERTEX_COUNT * FLOATS_PER_VERTEX) {
            throw new IllegalArgumentException(source + ": canonical mesh has " + vertexBuffer.length
                    + " vertex floats, expected " + VERTEX_COUNT + " x " + FLOATS_PER_VERTEX);
        }
        if (basisCount == 0) {
            throw new IllegalArgumentException(source + ": no Procrustes landmark basis (field 2) found");
        }
        double[] vertices = new double[VERTEX_COUNT * 3];
        for (int v = 0; v < VERTEX_COUNT; v++) {
            for (int a = 0; a < 3; a++) {
                vertices[3 * v + a] = vertexBuffer[FLOATS_PER_VERTEX * v + a];
            }
        }
        return new CanonicalFaceModel(vertices, Arrays.copyOf(ids, basisCount), Arrays.copyOf(weights, basisCount));
    }

    public int vertexCount() {
        return VERTEX_COUNT;
    }

    /** Vertex {@code v}, axis {@code a} (0 x, 1 y, 2 z) in centimetres. */
    public double vertexCm(int v, int a) {
        return verticesCm[3 * v + a];
    }

    /** All vertices in metres (x, y, z per vertex), scaled by {@code scale}. */
    public double[] verticesMetres(double scale) {
        double[] out = new double[verticesCm.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = verticesCm[i] * 0.01 * scale;
        }
        return out;
    }

    /** Landmark ids of the rigid basis, in the file's order. */
    public int[] basisIds() {
        return basisIds.clone();
    }

    /** Weights of the rigid basis, parallel to {@link #basisIds()}. */
    public double[] basisWeights() {
        return basisWeights.clone();
    }
}
