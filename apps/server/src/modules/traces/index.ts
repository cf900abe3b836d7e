export {
  storyRowsMax,
  traceStory,
  traceSubjectPrefixes,
  type StoryEntry,
  type StoryPayment,
  type TraceStory,
} from './trace-story.ts';
export { traceStoryText } from './trace-story-text.ts';
