// What the test workspace holds (shared by make-workspace.mjs and the tests).

/** Corpus file name -> path inside the workspace (the file's origin path in the MetaBuilder repository). */
export const CORPUS_FILES = {
  'gameengine__packages__bootstrap__workflows__boot_default.json': 'gameengine/packages/bootstrap/workflows/boot_default.json',
  'gameengine__packages__bootstrap__workflows__frame_default.json': 'gameengine/packages/bootstrap/workflows/frame_default.json',
  'gameengine__packages__bootstrap__workflows__n8n_skeleton.json': 'gameengine/packages/bootstrap/workflows/n8n_skeleton.json',
  'gameengine__packages__seed__workflows__demo_gameplay.json': 'gameengine/packages/seed/workflows/demo_gameplay.json',
  'gameengine__packages__quake3__workflows__quake3_frame.json': 'gameengine/packages/quake3/workflows/quake3_frame.json',
  'packagerepo__backend__workflows__auth_login.json': 'packagerepo/backend/workflows/auth_login.json',
  'packages__examples__workflows__complex_approval_flow.workflow.json': 'packages/examples/workflows/complex-approval-flow.workflow.json',
  'docs__N8N_VARIABLES_EXAMPLE.json': 'docs/N8N_VARIABLES_EXAMPLE.json',
};

/** The file with a planted duplicate node name: frame_default.json with "Step Physics" copy-pasted at the end. */
export const PLANTED = {
  from: 'gameengine__packages__bootstrap__workflows__frame_default.json',
  path: 'gameengine/packages/bootstrap/workflows/frame_physics_copy.json',
  duplicateOf: 'Step Physics',
  copyId: 'step_physics_copy',
  copyPosition: [260, 240],
  renamedTo: 'Step Physics 2',
};

/** A clean corpus file used for typing, hover and completion. */
export const CLEAN = 'gameengine/packages/bootstrap/workflows/frame_default.json';
