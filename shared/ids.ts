// The one schema of an entity id as the contract carries it (hosts, VMs,
// pools, tasks, consoles…): opaque text, never parsed by the renderer.
import { z } from 'zod';

export const idSchema = z.string().min(1).max(512);
