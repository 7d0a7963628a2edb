export { AwsSimulator, FAULT_KINDS } from './simulator';
export type {
  AwsSimulatorOptions,
  FaultKind,
  FaultOptions,
  InjectedFault,
  IvsStreamStateChangeEvent,
  MediaLiveChannelStateChangeEvent,
  SimulatedChannel,
  SimulatorStats,
  SimulatorTimings,
} from './simulator';
export { ManualClock } from './manual-clock';
export { MemoryWorkQueue } from './memory-work-queue';
export { CAPACITY_UNAVAILABLE, EcsSimulator } from './ecs-simulator';
export type { SimRequestHandler } from './ecs-simulator';
