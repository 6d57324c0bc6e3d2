package dev.synctalk.nerf.cuda;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.optim.AdamWScalars;
import dev.synctalk.gpu.cuda.optim.CudaAdamW;
import dev.synctalk.gpu.optim.AdamW;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.AdamWState;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The optimiser's parameter groups on the device: per group one flat buffer each of parameters, gradients and
 * the two AdamW moments, the group's tensors back to back in the host group's order (so tensor i of a group sits
 * at {@link Group#offset(int)}). The host {@link AdamW} and its tensors stay the layout's reference and the
 * checkpoint's container: {@link #upload} and {@link #download} move the whole state between them.
 */
final class DeviceParamGroups implements AutoCloseable {

    /** One group on the device. */
    static final class Group {
        final String name;
        final AdamWConfig config;
        final long[] offsets;
        final long size;
        final DeviceBuffer params;
        final DeviceBuffer grads;
        final DeviceBuffer expAvg;
        final DeviceBuffer expAvgSq;
        long step;

        Group(CudaDevice device, ParamGroup group) {
            this.name = group.name();
            this.config = group.config();
            this.offsets = new long[group.params().size() + 1];
            for (int i = 0; i < group.params().size(); i++) {
                offsets[i + 1] = offsets[i] + group.params().get(i).size();
            }
            this.size = offsets[offsets.length - 1];
            this.params = device.allocateFloats(Math.max(1, size));
            this.grads = device.allocateFloats(Math.max(1, size));
            this.expAvg = device.allocateFloats(Math.max(1, size));
            this.expAvgSq = device.allocateFloats(Math.max(1, size));
        }

        long offset(int tensor) {
            return offsets[tensor];
        }

        void close() {
            params.close();
            grads.close();
            expAvg.close();
            expAvgSq.close();
        }
    }

    private final CudaDevice device;
    private final List<Group> groups = new ArrayList<>();

    DeviceParamGroups(CudaDevice device, List<ParamGroup> hostGroups) {
        this.device = device;
        for (ParamGroup g : hostGroups) {
            groups.add(new Group(device, g));
        }
    }

    Group group(String name) {
        for (Group g : groups) {
            if (g.name.equals(name)) {
                return g;
            }
        }
        throw new IllegalArgumentException("no parameter group '" + name + "' on the device");
    }

    List<Group> groups() {
        return groups;
    }

    /** Parameters, moments and step counts from the host optimiser (gradients zeroed). */
    void upload(AdamW host) {
        List<AdamWState> states = host.exportState();
        for (int g = 0; g < groups.size(); g++) {
            Group d = groups.get(g);
            ParamGroup h = host.groups().get(g);
            for (int i = 0; i < h.params().size(); i++) {
                device.copyToDevice(h.params().get(i).data(), d.params, d.offset(i));
                device.copyToDevice(states.get(g).expAvg().get(i), d.expAvg, d.offset(i));
                device.copyToDevice(states.get(g).expAvgSq().get(i), d.expAvgSq, d.offset(i));
            }
            d.step = states.get(g).step();
            device.fill(d.grads, 0f);
        }
    }

    /** Parameters, moments and step counts into the host optimiser and its tensors (synchronises). */
    void download(AdamW host) {
        List<AdamWState> states = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Group d = groups.get(g);
            ParamGroup h = host.groups().get(g);
            List<float[]> m = new ArrayList<>();
            List<float[]> v = new ArrayList<>();
            for (int i = 0; i < h.params().size(); i++) {
                Tensor p = h.params().get(i);
                device.copyToHost(d.params, d.offset(i), p.data());
                float[] mi = new float[p.size()];
                float[] vi = new float[p.size()];
                device.copyToHost(d.expAvg, d.offset(i), mi);
                device.copyToHost(d.expAvgSq, d.offset(i), vi);
                m.add(mi);
                v.add(vi);
            }
            states.add(new AdamWState(d.name, d.step, m, v));
        }
        host.importState(states);
    }

    /** Parameters only into the host tensors (synchronises). */
    void downloadParameters(AdamW host) {
        for (int g = 0; g < groups.size(); g++) {
            Group d = groups.get(g);
            ParamGroup h = host.groups().get(g);
            for (int i = 0; i < h.params().size(); i++) {
                device.copyToHost(d.params, d.offset(i), h.params().get(i).data());
            }
        }
    }

    /** Gradients into the host groups' gradient tensors (synchronises): parity checks compare them. */
    void downloadGradients(AdamW host) {
        for (int g = 0; g < groups.size(); g++) {
            Group d = groups.get(g);
            ParamGroup h = host.groups().get(g);
            for (int i = 0; i < h.grads().size(); i++) {
                device.copyToHost(d.grads, d.offset(i), h.grads().get(i).data());
            }
        }
    }

    void zeroGradients() {
        for (Group g : groups) {
            device.fill(g.grads, 0f);
        }
    }

    /** One AdamW step of every group at base lr x {@code learningRateFactor} (torch's order, adamw.cu). */
    void adamWStep(double learningRateFactor) {
        for (Group g : groups) {
            g.step++;
            AdamWConfig c = g.config;
            CudaAdamW.step(device, g.size, g.params, g.grads, g.expAvg, g.expAvgSq,
                    AdamWScalars.of(c.learningRate() * learningRateFactor, c.beta1(), c.beta2(), c.eps(), c.weightDecay(),
                            g.step));
        }
    }

    /** counter[0] (a float, reduce.cu) += non-finite parameters of every group (enqueued). */
    void countNonFinite(DeviceBuffer counter) {
        for (Group g : groups) {
            device.kernel(KernelCatalog.COUNT_NONFINITE).launch(KernelCatalog.elementwise(device, g.size),
                    KernelArgs.create().i64(g.size).buffer(g.params).buffer(counter));
        }
    }

    @Override
    public void close() {
        groups.forEach(Group::close);
        groups.clear();
    }
}
