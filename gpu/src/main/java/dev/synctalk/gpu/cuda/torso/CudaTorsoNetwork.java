package dev.synctalk.gpu.cuda.torso;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.nn.CudaNn;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.encoding.FrequencyEncoding;
import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.TorsoModel;
import dev.synctalk.nerf.TorsoModelConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link TorsoModel}'s parameters on the device, one flat buffer per optimiser group of
 * {@link TorsoModel#paramGroups} (grid, networks, anchors[, codes]; the tensors of a group back to back in the
 * group's order), and the model's forward and backward on n pixels as {@link TorsoModel#forward} and
 * {@link TorsoModel#backward} compute them, composed from torso.cu, frequency.cu, hashgrid.cu and dense.cu:
 * <pre>
 *   colourIn [n, G + H] = [grid(deformed) (G) | freq8(xs) (34) | freq3(project(anchors, P)) (42) | code (C)]
 *   deform: colourIn[:, G:] -> 32 -> 32 -> 2 (ReLU, no bias) = dx;  deformed = clamp(xs + dx, -1, 1)
 *   colour: colourIn -> 32 -> 32 -> 4 = raw (alpha, rgb logits; torso.cu applies the colour sigmoid)
 * </pre>
 * The deformation input is the colour input's last H columns, so nothing is copied; the backward of the
 * deformation's first layer accumulates into the colour input's gradient there, which is TorsoModel's
 * gradDeformIn + gradColorIn[:, G:]. Enqueue-only; one thread drives it.
 */
public final class CudaTorsoNetwork implements AutoCloseable {
    public static final int GRID = 0;
    public static final int NETWORKS = 1;
    public static final int ANCHORS = 2;
    public static final int CODES = 3;

    /** One dense layer: in -> out, weight [out, in] at {@code offset} in the networks buffer. */
    public record Layer(int in, int out, long offset) {
    }

    /** One optimiser group on the device: parameters, and for training gradients and both AdamW moments. */
    public record Group(String name, long floats, DeviceBuffer params, DeviceBuffer grads, DeviceBuffer expAvg,
                        DeviceBuffer expAvgSq) {
    }

    private final CudaDevice device;
    private final TorsoModelConfig config;
    private final HashGrid2D grid;
    private final CudaNn.GridLaunch gridLaunch;
    private final FrequencyEncoding pixelEncoding;
    private final FrequencyEncoding anchorEncoding;
    private final List<Group> groups = new ArrayList<>();
    private final List<Layer> deformLayers;
    private final List<Layer> colourLayers;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final int gridWidth;
    private final int deformWidth;

    /**
     * Device buffers shaped like {@code model}'s groups, holding its current parameters; with {@code training}
     * also zeroed gradients and moments.
     */
    public CudaTorsoNetwork(CudaDevice device, TorsoModel model, boolean training) {
        this.device = device;
        this.config = model.config();
        this.grid = config.grid();
        this.pixelEncoding = config.pixelEncoding();
        this.anchorEncoding = config.anchorEncoding();
        this.gridWidth = grid.outputDim();
        this.deformWidth = config.deformInputDim();
        List<ParamGroup> hostGroups = model.paramGroups();
        try {
            for (ParamGroup g : hostGroups) {
                long floats = 0;
                for (Tensor t : g.params()) {
                    floats += t.size();
                }
                groups.add(new Group(g.name(), floats, own(device.allocateFloats(floats)),
                        training ? zeros(floats) : null, training ? zeros(floats) : null, training ? zeros(floats) : null));
            }
            int dh = config.deformHidden();
            int ch = config.colorHidden();
            long[] next = {0};
            java.util.function.BiFunction<Integer, Integer, Layer> layer = (in, out) -> {
                Layer l = new Layer(in, out, next[0]);
                next[0] += (long) in * out;
                return l;
            };
            this.deformLayers = List.of(layer.apply(deformWidth, dh), layer.apply(dh, dh), layer.apply(dh, 2));
            this.colourLayers = List.of(layer.apply(gridWidth + deformWidth, ch), layer.apply(ch, ch),
                    layer.apply(ch, 4));
            requireLayout(hostGroups.get(NETWORKS), next[0]);
            this.gridLaunch = new CudaNn.GridLaunch(grid, 1, CudaNn.SINGLE_PLANE_AXES,
                    own(device.uploadInts(CudaNn.levelTable(grid))));
            uploadParameters(hostGroups);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void requireLayout(ParamGroup networks, long floats) {
        List<Layer> layers = new ArrayList<>(deformLayers);
        layers.addAll(colourLayers);
        if (networks.params().size() != layers.size() || groups.get(NETWORKS).floats() != floats) {
            throw new IllegalStateException("torso networks group has " + networks.params().size() + " tensors of "
                    + groups.get(NETWORKS).floats() + " floats, the device layout expects " + layers.size()
                    + " weights of " + floats);
        }
        for (int i = 0; i < layers.size(); i++) {
            int[] shape = networks.params().get(i).shape();
            if (!Arrays.equals(shape, new int[] {layers.get(i).out(), layers.get(i).in()})) {
                throw new IllegalStateException("torso network weight " + i + " has shape " + Arrays.toString(shape)
                        + ", the device layout expects [" + layers.get(i).out() + ", " + layers.get(i).in() + "]");
            }
        }
    }

    private DeviceBuffer own(DeviceBuffer b) {
        owned.add(b);
        return b;
    }

    private DeviceBuffer zeros(long floats) {
        DeviceBuffer b = own(device.allocateFloats(Math.max(1, floats)));
        device.fill(b, 0f);
        return b;
    }

    public CudaDevice device() {
        return device;
    }

    public TorsoModelConfig config() {
        return config;
    }

    public List<Group> groups() {
        return groups;
    }

    public Group group(int index) {
        return groups.get(index);
    }

    public boolean hasCodes() {
        return config.individualCodeDim() > 0;
    }

    /** Width of the colour input, grid features then deformation input. */
    public int colourInputWidth() {
        return gridWidth + deformWidth;
    }

    public int gridWidth() {
        return gridWidth;
    }

    public List<Layer> deformLayers() {
        return deformLayers;
    }

    public List<Layer> colourLayers() {
        return colourLayers;
    }

    /** Floats of {@code group}'s tensors back to back. */
    private static float[] concat(ParamGroup group, List<Tensor> tensors) {
        long total = 0;
        for (Tensor t : tensors) {
            total += t.size();
        }
        float[] all = new float[Math.toIntExact(total)];
        int at = 0;
        for (Tensor t : tensors) {
            System.arraycopy(t.data(), 0, all, at, t.size());
            at += t.size();
        }
        return all;
    }

    private static void split(float[] all, List<Tensor> tensors) {
        int at = 0;
        for (Tensor t : tensors) {
            System.arraycopy(all, at, t.data(), 0, t.size());
            at += t.size();
        }
    }

    /** Copies the host parameters of {@code hostGroups} (TorsoModel's order) to the device. */
    public void uploadParameters(List<ParamGroup> hostGroups) {
        for (int g = 0; g < groups.size(); g++) {
            device.copyToDevice(concat(hostGroups.get(g), hostGroups.get(g).params()), groups.get(g).params());
        }
    }

    /** Copies the device parameters into the host tensors of {@code hostGroups} (synchronises). */
    public void downloadParameters(List<ParamGroup> hostGroups) {
        for (int g = 0; g < groups.size(); g++) {
            Group d = groups.get(g);
            split(device.download(d.params(), Math.toIntExact(d.floats())), hostGroups.get(g).params());
        }
    }

    /** Group {@code g}'s gradients, back to back (synchronises). */
    public float[] gradients(int g) {
        Group d = groups.get(g);
        return device.download(d.grads(), Math.toIntExact(d.floats()));
    }

    public void zeroGradients() {
        for (Group g : groups) {
            device.fill(g.grads(), 0f);
        }
    }

    /** Per-pixel device storage of a forward (and backward) pass over up to {@code capacity} pixels. */
    public final class Workspace implements AutoCloseable {
        private final long capacity;
        private final List<DeviceBuffer> buffers = new ArrayList<>();
        final DeviceBuffer shrunk, colourIn, d1, d2, dx, deformed, c1, c2, raw;
        final DeviceBuffer gradRaw, gc2, gc1, gradColourIn, gradDeformed, gradOffset, gd2, gd1;
        final DeviceBuffer projected, anchorFeatures, gradAnchorFeatures, gradProjected, sumScratch;

        Workspace(long capacity, boolean backward) {
            this.capacity = capacity;
            int dh = config.deformHidden();
            int ch = config.colorHidden();
            int an = anchorEncoding.outputDim();
            try {
                shrunk = alloc(2 * capacity);
                colourIn = alloc(capacity * colourInputWidth());
                d1 = alloc(capacity * dh);
                d2 = alloc(capacity * dh);
                dx = alloc(2 * capacity);
                deformed = alloc(2 * capacity);
                c1 = alloc(capacity * ch);
                c2 = alloc(capacity * ch);
                raw = alloc(4 * capacity);
                gradRaw = backward ? alloc(4 * capacity) : null;
                gc2 = backward ? alloc(capacity * ch) : null;
                gc1 = backward ? alloc(capacity * ch) : null;
                gradColourIn = backward ? alloc(capacity * colourInputWidth()) : null;
                gradDeformed = backward ? alloc(2 * capacity) : null;
                gradOffset = backward ? alloc(2 * capacity) : null;
                gd2 = backward ? alloc(capacity * dh) : null;
                gd1 = backward ? alloc(capacity * dh) : null;
                projected = alloc(2 * TorsoModelConfig.ANCHOR_COUNT);
                anchorFeatures = alloc(an);
                gradAnchorFeatures = backward ? alloc(an) : null;
                gradProjected = backward ? alloc(2 * TorsoModelConfig.ANCHOR_COUNT) : null;
                sumScratch = backward ? alloc(TorsoKernels.columnSumScratchFloats(Math.max(an,
                        Math.max(1, config.individualCodeDim())))) : null;
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private DeviceBuffer alloc(long floats) {
            DeviceBuffer b = device.allocateFloats(Math.max(1, floats));
            buffers.add(b);
            return b;
        }

        public long capacity() {
            return capacity;
        }

        /** Shrunk pixel coordinates [capacity, 2], the pass's input. */
        public DeviceBuffer shrunkCoordinates() {
            return shrunk;
        }

        /** The colour net's raw outputs [capacity, 4]. */
        public DeviceBuffer raw() {
            return raw;
        }

        /** d loss / d raw [capacity, 4], the backward's input. */
        public DeviceBuffer gradRaw() {
            return gradRaw;
        }

        @Override
        public void close() {
            buffers.forEach(DeviceBuffer::close);
            buffers.clear();
        }
    }

    public Workspace workspace(long capacity, boolean backward) {
        return new Workspace(capacity, backward);
    }

    private static DeviceView v(DeviceBuffer b) {
        return DeviceView.of(b);
    }

    private DeviceView weight(Layer l) {
        return new DeviceView(groups.get(NETWORKS).params(), l.offset());
    }

    private DeviceView weightGrad(Layer l) {
        return new DeviceView(groups.get(NETWORKS).grads(), l.offset());
    }

    private void dense(long n, Layer l, DeviceView in, int ldIn, DeviceView out, int ldOut, boolean relu) {
        CudaNn.denseRows(device, n, in, ldIn, l.in(), weight(l), false, l.out(), DeviceView.absent(), out, ldOut,
                relu ? CudaNn.EPILOGUE_RELU : 0, DeviceView.absent(), 0);
    }

    /** Weight gradient of {@code l}, then its input gradient (masked by the ReLU below when {@code reluInput}). */
    private void denseBackward(long n, Layer l, DeviceView gradOut, DeviceView in, int ldIn, DeviceView gradIn,
                               int ldGradIn, boolean reluInput, boolean accumulate) {
        CudaNn.denseWeightGrad(device, n, gradOut, l.out(), l.out(), in, ldIn, l.in(), weightGrad(l),
                DeviceView.absent());
        int epilogue = (reluInput ? CudaNn.EPILOGUE_MASK_POSITIVE : 0) | (accumulate ? CudaNn.EPILOGUE_ACCUMULATE : 0);
        CudaNn.denseRows(device, n, gradOut, l.out(), l.out(), weight(l), true, l.in(), DeviceView.absent(), gradIn,
                ldGradIn, epilogue, reluInput ? in : DeviceView.absent(), ldIn);
    }

    private void requireRows(Workspace ws, long n) {
        if (n < 1 || n > ws.capacity()) {
            throw new IllegalArgumentException("a torso pass over " + n + " pixels needs 1 .. " + ws.capacity()
                    + " (the workspace's capacity)");
        }
    }

    /**
     * Forward over the first n pixels of {@code ws} (their shrunk coordinates already in place) for the frame of
     * head pose {@code pose} [16] and torso code {@code codeIndex}: raw outputs into {@code ws.raw()}.
     */
    public void forward(Workspace ws, long n, DeviceView pose, int codeIndex) {
        requireRows(ws, n);
        int k = TorsoModelConfig.ANCHOR_COUNT;
        int width = colourInputWidth();
        int px = pixelEncoding.outputDim();
        int an = anchorEncoding.outputDim();
        int code = config.individualCodeDim();
        DeviceView deformIn = v(ws.colourIn).plus(gridWidth);
        TorsoKernels.projectAnchorsForward(device, k, v(groups.get(ANCHORS).params()), pose, v(ws.projected));
        TorsoKernels.frequencyForward(device, anchorEncoding, 1, v(ws.projected), 2 * k, v(ws.anchorFeatures), an);
        TorsoKernels.broadcastRow(device, n, v(ws.anchorFeatures), an, deformIn.plus(px), width);
        if (code > 0) {
            TorsoKernels.broadcastRow(device, n, v(groups.get(CODES).params()).plus((long) codeIndex * code), code,
                    deformIn.plus(px + an), width);
        }
        TorsoKernels.frequencyForward(device, pixelEncoding, n, v(ws.shrunk), 2, deformIn, width);
        int dh = config.deformHidden();
        dense(n, deformLayers.get(0), deformIn, width, v(ws.d1), dh, true);
        dense(n, deformLayers.get(1), v(ws.d1), dh, v(ws.d2), dh, true);
        dense(n, deformLayers.get(2), v(ws.d2), dh, v(ws.dx), 2, false);
        TorsoKernels.offsetClampForward(device, 2 * n, v(ws.shrunk), v(ws.dx), 1f, v(ws.deformed));
        CudaNn.hashGridForward(device, gridLaunch, n, v(ws.deformed), 2, v(groups.get(GRID).params()), v(ws.colourIn),
                width);
        int ch = config.colorHidden();
        dense(n, colourLayers.get(0), v(ws.colourIn), width, v(ws.c1), ch, true);
        dense(n, colourLayers.get(1), v(ws.c1), ch, v(ws.c2), ch, true);
        dense(n, colourLayers.get(2), v(ws.c2), ch, v(ws.raw), 4, false);
    }

    /**
     * Backward of the last {@link #forward} on {@code ws} from d loss / d raw in {@code ws.gradRaw()}: every
     * parameter gradient accumulated into the groups' gradient buffers (zero them per step).
     */
    public void backward(Workspace ws, long n, DeviceView pose, int codeIndex) {
        requireRows(ws, n);
        if (ws.gradRaw == null || groups.get(GRID).grads() == null) {
            throw new IllegalStateException("backward needs a training network and a workspace with gradients");
        }
        int k = TorsoModelConfig.ANCHOR_COUNT;
        int width = colourInputWidth();
        int px = pixelEncoding.outputDim();
        int an = anchorEncoding.outputDim();
        int code = config.individualCodeDim();
        int dh = config.deformHidden();
        int ch = config.colorHidden();
        DeviceView deformIn = v(ws.colourIn).plus(gridWidth);
        DeviceView gradDeformIn = v(ws.gradColourIn).plus(gridWidth);

        denseBackward(n, colourLayers.get(2), v(ws.gradRaw), v(ws.c2), ch, v(ws.gc2), ch, true, false);
        denseBackward(n, colourLayers.get(1), v(ws.gc2), v(ws.c1), ch, v(ws.gc1), ch, true, false);
        denseBackward(n, colourLayers.get(0), v(ws.gc1), v(ws.colourIn), width, v(ws.gradColourIn), width, false,
                false);
        CudaNn.hashGridBackwardEmbeddings(device, gridLaunch, n, v(ws.deformed), 2, v(ws.gradColourIn), width,
                v(groups.get(GRID).grads()));
        CudaNn.hashGridBackwardCoords(device, gridLaunch, n, v(ws.deformed), 2, v(groups.get(GRID).params()),
                v(ws.gradColourIn), width, v(ws.gradDeformed));
        TorsoKernels.offsetClampBackward(device, 2 * n, v(ws.shrunk), v(ws.dx), 1f, v(ws.gradDeformed),
                v(ws.gradOffset));
        denseBackward(n, deformLayers.get(2), v(ws.gradOffset), v(ws.d2), dh, v(ws.gd2), dh, true, false);
        denseBackward(n, deformLayers.get(1), v(ws.gd2), v(ws.d1), dh, v(ws.gd1), dh, true, false);
        denseBackward(n, deformLayers.get(0), v(ws.gd1), deformIn, width, gradDeformIn, width, false, true);

        if (code > 0) {
            TorsoKernels.columnSums(device, n, gradDeformIn.plus(px + an), width, code, ws.sumScratch,
                    v(groups.get(CODES).grads()).plus((long) codeIndex * code), true);
        }
        device.fill(ws.gradAnchorFeatures, 0f);
        TorsoKernels.columnSums(device, n, gradDeformIn.plus(px), width, an, ws.sumScratch, v(ws.gradAnchorFeatures),
                true);
        TorsoKernels.frequencyBackward(device, anchorEncoding, 1, v(ws.projected), 2 * k, v(ws.gradAnchorFeatures), an,
                v(ws.gradProjected), 2 * k);
        TorsoKernels.projectAnchorsBackward(device, k, v(groups.get(ANCHORS).params()), pose, v(ws.gradProjected),
                v(groups.get(ANCHORS).grads()));
    }

    @Override
    public void close() {
        owned.forEach(DeviceBuffer::close);
        owned.clear();
    }
}
