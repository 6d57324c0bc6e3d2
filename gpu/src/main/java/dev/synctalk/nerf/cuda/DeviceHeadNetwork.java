package dev.synctalk.nerf.cuda;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.head.FusedHeadKernels;
import dev.synctalk.gpu.cuda.head.FusedHeadLayout;
import dev.synctalk.gpu.cuda.nn.CudaNn;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.encoding.SphericalHarmonics;
import dev.synctalk.gpu.encoding.TriPlaneEncoder;
import dev.synctalk.nerf.HeadModelConfig;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.OccupancyGrid;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@link HeadTrainer}'s model on the device: every parameter group ({@link DeviceParamGroups}), the head
 * networks packed to fp16 for fusedhead.cu, the tri-plane level table, the audio conditioner and the occupancy
 * grid. The host trainer stays the layout and the checkpoint container: {@link #uploadFromHost} and
 * {@link #downloadToHost} move the whole state (parameters, AdamW moments and steps, grid, step count).
 * Shared by the device trainer and the device renderer.
 */
final class DeviceHeadNetwork implements AutoCloseable {
    static final int NETWORK_LAYERS = 11;

    final CudaDevice device;
    final HeadTrainer host;
    final DeviceParamGroups groups;
    final DeviceParamGroups.Group grid;
    final DeviceParamGroups.Group nets;
    final DeviceParamGroups.Group codes;
    final int codeDim;
    final CudaNn.GridLaunch gridLaunch;
    final DeviceBuffer packed;
    final DeviceBuffer packTable;
    final DeviceBuffer gradTable;
    final DeviceAudioConditioner audio;
    final DeviceBuffer expression;
    final DeviceBuffer density;
    final DeviceBuffer occupancy;
    final DeviceBuffer meanDensity;
    final int gridResolution;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    /** Bumped on every parameter update; the packed copies were made at {@link #packedVersion}. */
    private long parameterVersion;
    private long packedVersion = -1;

    DeviceHeadNetwork(CudaDevice device, HeadTrainer host) {
        requireFusedSizes(host.model().config());
        this.device = device;
        this.host = host;
        this.groups = new DeviceParamGroups(device, host.optimizer().groups());
        this.grid = groups.group("head.grid");
        this.nets = groups.group("head.networks");
        this.codes = groups.group("head.individual_codes");
        this.codeDim = host.model().config().individualCodeDim();
        HashGrid2D plane = host.model().encoder().grid();
        this.gridLaunch = new CudaNn.GridLaunch(plane, TriPlaneEncoder.PLANES, CudaNn.TRI_PLANE_AXES,
                own(device.uploadInts(CudaNn.levelTable(plane))));
        FusedHeadLayout.HeadLayers layers = layers(host.model().config());
        this.packed = own(device.allocate(2L * FusedHeadLayout.WEIGHT_HALVES));
        device.zero(packed);
        this.packTable = own(device.uploadInts(FusedHeadLayout.packTable(layers)));
        this.gradTable = own(device.uploadInts(FusedHeadLayout.weightGradTable(layers)));
        this.audio = new DeviceAudioConditioner(device, host.conditioner(), groups);
        this.expression = own(device.allocateFloats(host.model().config().expressionDim()));
        OccupancyGrid g = host.grid();
        this.gridResolution = g.resolution();
        this.density = own(device.allocateFloats(g.cellCount()));
        this.occupancy = own(device.allocateFloats(g.cellCount()));
        this.meanDensity = own(device.allocateFloats(1));
        uploadFromHost();
    }

    private DeviceBuffer own(DeviceBuffer b) {
        owned.add(b);
        return b;
    }

    /** The fused kernels are written for the reference sizes (synctalk-facts.md, "Head NeRF"). */
    static void requireFusedSizes(HeadModelConfig c) {
        boolean reference = c.gridLevels() == 12 && c.audioDim() == 32 && c.expressionDim() == 7
                && c.attentionHidden() == 64 && c.sigmaHidden() == 64 && c.geoFeatureDim() == 64 && c.colorHidden() == 64
                && c.uncertaintyHidden() == 32 && (c.individualCodeDim() == 4 || c.individualCodeDim() == 0);
        if (!reference) {
            throw new IllegalArgumentException("the device head network (training and rendering) runs the reference sizes (preset sync-talk: 12"
                    + " levels, 32-d audio code, 64-wide networks, 4-d individual codes); this model is " + c
                    + ". Train other sizes on the CPU (device = \"cpu\").");
        }
    }

    /** The head.networks group's layers in HeadModel's parameter order: aud 2, eye 2, sigma 3, colour 2, unc 2. */
    private FusedHeadLayout.HeadLayers layers(HeadModelConfig c) {
        int e = 36;
        int[][] shapes = {{e, 64}, {64, 32}, {e, 64}, {64, 7}, {e + 32 + 7, 64}, {64, 64}, {64, 65},
                {SphericalHarmonics.OUTPUT_DIM + 64 + c.individualCodeDim(), 64}, {64, 3}, {e, 32}, {32, 1}};
        FusedHeadLayout.Layer[] l = new FusedHeadLayout.Layer[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            long size = nets.offset(i + 1) - nets.offset(i);
            if (size != (long) shapes[i][0] * shapes[i][1]) {
                throw new IllegalStateException("head network tensor " + i + " has " + size + " values, the fused layout"
                        + " expects " + shapes[i][0] + " x " + shapes[i][1]);
            }
            l[i] = new FusedHeadLayout.Layer(shapes[i][0], shapes[i][1], nets.offset(i));
        }
        return new FusedHeadLayout.HeadLayers(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], l[9], l[10]);
    }

    /** Parameters, AdamW state and the occupancy grid from the host trainer (after a restore, or at start). */
    void uploadFromHost() {
        groups.upload(host.optimizer());
        parametersChanged();
        OccupancyGrid g = host.grid();
        device.copyToDevice(g.density().data(), density);
        device.copyToDevice(g.occupancy().data(), occupancy);
        device.copyToDevice(new float[] {g.meanDensity()}, meanDensity);
        pack();
    }

    /** The whole state into the host trainer (parameters, AdamW state, grid; the caller sets the step). */
    void downloadToHost(long gridUpdates) {
        groups.download(host.optimizer());
        OccupancyGrid g = host.grid();
        float[] d = device.download(density, g.cellCount());
        float[] o = device.download(occupancy, g.cellCount());
        float mean = device.download(meanDensity, 1)[0];
        g.restore(d, o, gridUpdates, mean);
    }

    /** fp16 copies of the network weights for the fused kernels (after every update). */
    void pack() {
        FusedHeadKernels.packWeights(device, packTable, NETWORK_LAYERS, nets.params, packed);
        packedVersion = parameterVersion;
    }

    /** The fp16 copies again only when the parameters changed since the last pack (a renderer's frames: never). */
    void ensurePacked() {
        if (packedVersion != parameterVersion) {
            pack();
        }
    }

    /** The device parameters were updated (AdamW): the fp16 copies are stale until the next pack. */
    void parametersChanged() {
        parameterVersion++;
    }

    /** enc [n][36] of points [n][3] (enqueued). */
    void encode(long n, DeviceBuffer points, DeviceBuffer enc) {
        CudaNn.hashGridForward(device, gridLaunch, n, DeviceView.of(points), 3, DeviceView.of(grid.params),
                DeviceView.of(enc), 36);
    }

    /** The individual code row's offset in the codes group; -1 without codes. */
    long codeOffset(int codeIndex) {
        return codeDim == 0 ? -1 : (long) codeIndex * codeDim;
    }

    @Override
    public void close() {
        audio.close();
        groups.close();
        owned.forEach(DeviceBuffer::close);
        owned.clear();
    }
}
