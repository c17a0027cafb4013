import { findEngineProfile, listRuntimeProfiles } from "@baiengine/profiles";

/** What `update` writes for a new engine entry when --name and --description are not given. */
export interface EngineMetadata {
  name: string;
  description: string;
  modelFormats: string[];
}

/**
 * An engine's name, description and model formats from its profile in @baiengine/profiles (data
 * only: no build code is loaded), or null for an engine without a profile (then --name is needed,
 * and the model formats come from the packages' manifests).
 */
export function engineMetadata(engineId: string): EngineMetadata | null {
  const profile = findEngineProfile(engineId);
  return profile ? { name: profile.name, description: profile.description, modelFormats: [...profile.modelFormats] } : null;
}

/** A runtime's name and description from its profile in @baiengine/profiles, or null for an unknown runtime. */
export function runtimeMetadata(runtimeId: string): { name: string; description: string } | null {
  const profile = listRuntimeProfiles().find((p) => p.id === runtimeId);
  return profile ? { name: profile.name, description: profile.description } : null;
}
